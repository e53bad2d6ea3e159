/// What was scanned. `imageId` is always known; the rest only where the upstream (or the watch) tells.
/// Encoded with absent fields left out.
public struct ScanSubject: Sendable, Hashable, Codable {
    public var imageId: String
    public var productId: String?
    public var repository: String?
    public var digest: String?
    public var tag: String?
    public var projectId: String?
    public var imageSizeBytes: Int64?

    public init(
        imageId: String, productId: String? = nil, repository: String? = nil, digest: String? = nil,
        tag: String? = nil, projectId: String? = nil, imageSizeBytes: Int64? = nil
    ) {
        self.imageId = imageId
        self.productId = productId
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.projectId = projectId
        self.imageSizeBytes = imageSizeBytes
    }

    /// `self`, with every field `self` does not know taken from `other`. Known values are never lost when a
    /// newer update omits them.
    func filling(from other: ScanSubject) -> ScanSubject {
        ScanSubject(
            imageId: imageId,
            productId: productId ?? other.productId,
            repository: repository ?? other.repository,
            digest: digest ?? other.digest,
            tag: tag ?? other.tag,
            projectId: projectId ?? other.projectId,
            imageSizeBytes: imageSizeBytes ?? other.imageSizeBytes
        )
    }
}
