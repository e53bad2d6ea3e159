/// A test hook: how many connections the loops hold, how many response bytes wait for their sockets, and how many
/// `send` calls the loops have made so far (how well responses are batched into writes).
package struct HTTPServerStatistics: Sendable, Equatable {
    package var openConnections = 0
    package var bufferedOutboundBytes = 0
    package var socketWrites = 0
}
