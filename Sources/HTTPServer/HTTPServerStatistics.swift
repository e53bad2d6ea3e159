/// A test hook: how many connections the loops hold and how many response bytes wait for their sockets.
package struct HTTPServerStatistics: Sendable, Equatable {
    package var openConnections: Int
    package var bufferedOutboundBytes: Int
}
