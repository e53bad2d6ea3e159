/// A multi-arch image: an index (manifest list) and the child images a scanner scans in its place.
///
/// Harbor scans each child manifest on its own and reports one scan per child; nobody scans the index. Users name the
/// image by the index digest, so the index is answered for by its children: their scans, and a verdict only once
/// every child has one. Children a scanner never scans (build attestations) are not listed.
public struct ImageIndex: Sendable, Hashable, Codable {
    /// The index as users name it, e.g. `library/web@sha256:…` (the index digest).
    public var imageId: String
    /// The `imageId` of each child that gets a scan of its own, in the index's order.
    public var children: [String]

    public init(imageId: String, children: [String]) {
        self.imageId = imageId
        self.children = children
    }
}
