// Ids of rows and requests: random version-4 UUIDs in the canonical lower-case form, as Foundation writes them.
@testable import AgnesAPI
import Foundation
import Testing

@Suite("identifiers")
struct IdentifierTests {
    @Test("an id is a lower-case version-4 UUID that Foundation reads back as the same UUID, and ids do not repeat")
    func canonical() throws {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = Identifier.make()
            #expect(id.count == 36 && id == id.lowercased())
            let uuid = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(uuid.uuidString.lowercased() == id)
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4 && bytes[8] >> 6 == 0b10, "\(id): version or variant bits")
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test("the bits land where RFC 4122 puts them")
    func layout() {
        #expect(Identifier.make(high: 0, low: 0) == "00000000-0000-4000-8000-000000000000")
        #expect(Identifier.make(high: .max, low: .max) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
        #expect(Identifier.make(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210) == "01234567-89ab-4def-bedc-ba9876543210")
    }
}
