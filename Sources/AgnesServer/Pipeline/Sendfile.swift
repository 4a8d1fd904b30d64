// Downloads sent by the kernel (sendfile) instead of through user-space buffers: a route answers with the headers, an
// empty body and an internal `x-agnes-sendfile` header naming the file (path, range, inode); a channel handler placed
// just before NIO's HTTP encoder removes that header and writes the range as a `FileRegion`. The handler opens the
// file itself and sends it only if it is still the file the route checked (same inode, long enough); otherwise it
// closes the connection rather than send bytes that do not match the headers.
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

enum Sendfile {
    static let headerName = "x-agnes-sendfile"
    static let field = HTTPField.Name(headerName)!

    /// The file range a response's body is: `offset;length;inode;percent-encoded path`.
    struct Target: Equatable {
        let path: String
        let offset: Int
        let length: Int
        let inode: UInt64

        var headerValue: String {
            "\(offset);\(length);\(inode);" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
        }

        init(path: String, offset: Int, length: Int, inode: UInt64) {
            self.path = path
            self.offset = offset
            self.length = length
            self.inode = inode
        }

        init?(headerValue: String) {
            let parts = headerValue.split(separator: ";", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let offset = Int(parts[0]), let length = Int(parts[1]), let inode = UInt64(parts[2]),
                  let path = String(parts[3]).removingPercentEncoding, offset >= 0, length > 0 else { return nil }
            self.init(path: path, offset: offset, length: length, inode: inode)
        }
    }

    /// The inode of the file at `path`.
    static func inode(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}

/// Added with Hummingbird's additional channel handlers (which sit after the HTTP types codec); puts the
/// `SendfileHandler` next to NIO's HTTP response encoder, where bodies can still be file regions.
final class SendfileInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let encoder = try? pipeline.handler(type: HTTPResponseEncoder.self) else { return }
        try? pipeline.addHandler(SendfileHandler(), position: .after(encoder))
    }
}

/// Turns a response marked with `x-agnes-sendfile` into head + file region + end.
final class SendfileHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var pending: Sendfile.Target?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case var .head(head):
            if let value = head.headers.first(name: Sendfile.headerName) {
                head.headers.remove(name: Sendfile.headerName)
                pending = Sendfile.Target(headerValue: value)
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case let .end(trailers):
            guard let target = pending else {
                context.write(data, promise: promise)
                return
            }
            pending = nil
            do {
                let handle = try NIOFileHandle(_deprecatedPath: target.path)
                var info = stat()
                let same = try handle.withUnsafeFileDescriptor { fstat($0, &info) == 0 }
                    && UInt64(info.st_ino) == target.inode && Int(info.st_size) >= target.offset + target.length
                guard same else {
                    try? handle.close()
                    throw ChannelError.ioOnClosedChannel
                }
                let region = FileRegion(fileHandle: handle, readerIndex: target.offset, endIndex: target.offset + target.length)
                context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.whenComplete { _ in try? handle.close() }
                if let promise { written.futureResult.cascade(to: promise) }
                context.write(wrapOutboundOut(.end(trailers)), promise: written)
            } catch {
                // The file changed or vanished since the route checked it: the promised bytes cannot be sent.
                promise?.fail(error)
                context.close(promise: nil)
            }
        case .body:
            context.write(data, promise: promise)
        }
    }
}
