// `JSONText.string`: the hand-written JSON string literal the manifest's sections are spliced with must read back as
// the same string, for any text a table name can hold.
import AgnesAPI
import Foundation
import Testing

@Suite("JSON text")
struct JSONTextTests {
    @Test("quotes, backslashes, control characters and non-ASCII text read back unchanged")
    func roundTrip() throws {
        for text in ["orders", #"say "hi"\now"#, "tab\there\r\nline", "\u{0}\u{1f}\u{7f}", "Ž🙂/ü", #"\u0041"#, ""] {
            let literal = JSONText.string(text)
            #expect(try JSONDecoder().decode(String.self, from: literal) == text, "\(text)")
        }
        #expect(String(decoding: JSONText.string("a/b"), as: UTF8.self) == #""a/b""#)
    }
}
