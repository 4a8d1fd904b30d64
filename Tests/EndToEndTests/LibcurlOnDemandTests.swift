// The libcurl forwarders agnes-server links instead of libcurl.so.4 (CLibcurlOnDemand): each one reaches the real
// function, with its arguments, once the first call has loaded the library.
import CLibcurlOnDemand
import CLibcurlOnDemandProbe
import Testing

@Suite("libcurl on demand")
struct LibcurlOnDemandTests {
    #if os(Linux)
    @Test("every forwarder loads libcurl.so.4 on first use and passes its arguments and answer through")
    func forwardersReachLibcurl() {
        #expect(agnes_libcurl_loaded() == 0, "libcurl was loaded before any forwarder was called")
        var message = [CChar](repeating: 0, count: 512)
        let failedStep = agnes_probe_libcurl_forwarders(&message, message.count)
        let explanation = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(failedStep == 0, "step \(failedStep): \(explanation)")
        #expect(agnes_libcurl_loaded() == 1)
    }
    #endif
}
