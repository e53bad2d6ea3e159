import HTTPCore
import ScanCore

extension EntityTag {
    /// A scan's strong tag, `"<revision>"` (`openapi.yaml`): the revision grows with each change.
    init(of scan: Scan) {
        self.init(String(scan.revision))
    }
}
