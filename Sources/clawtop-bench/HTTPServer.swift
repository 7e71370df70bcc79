import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `clawtop-bench --serve-http`: a loopback HTTP server for the poller bench, in its own process so its CPU is not
/// counted as the poller's. `/hang…` never answers; `/flip/K` answers 503 for 50 s in every 100 (phased by K); anything
/// else answers 200 `{"ok":true}`. Prints "port N", then
/// serves until stdin closes.
func serveHTTP() -> Never {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try! ServerBootstrap(group: group)
        .serverChannelOption(ChannelOptions.backlog, value: 4096)
        .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Answer()) }
        }
        .bind(host: "127.0.0.1", port: 0).wait()
    FileHandle.standardOutput.write(Data("port \(channel.localAddress!.port!)\n".utf8))
    while readLine() != nil {}
    exit(0)
}

private final class Answer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var path = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.uri
        case .body: break
        case .end:
            guard !path.hasPrefix("/hang") else { return }
            var status = HTTPResponseStatus.ok
            if path.hasPrefix("/flip/"), let k = Int(path.dropFirst(6)) {
                // Each agent turns unhealthy for 50 s in every 100, agent k at second k: one change a second in 50.
                let t = Int(Date().timeIntervalSince1970)
                if ((t + k) / 50) % 2 == 1 { status = .serviceUnavailable }
            }
            let body = context.channel.allocator.buffer(string: status == .ok ? #"{"ok":true}"# : #"{"ok":false}"#)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
