import Logging

/// The metadata one event is written with, the same for the text and the JSON handler: the logger's own, then its
/// provider's, then the event's, a later value winning over an earlier one of the same key.
enum LogMetadata {
    static func merged(
        _ own: Logger.Metadata, provider: Logger.MetadataProvider?, event: Logger.Metadata?
    ) -> Logger.Metadata {
        var merged = own
        if let provided = provider?.get() { merged.merge(provided) { _, new in new } }
        if let event { merged.merge(event) { _, new in new } }
        return merged
    }
}
