import CMalloc

/// The C allocator's settings for serving: glibc's defaults return freed memory to the kernel too eagerly for a
/// server whose requests come and go in bursts.
///
/// Every request runs in a task whose async frames live in slabs the task allocates from `malloc`. With hundreds of
/// requests in flight (h2load's 32 connections × 10 streams) those slabs come and go together, and glibc's default
/// trim threshold (128 KiB) handed the top of the heap back after every burst, only to fault it in again for the
/// next: page faults under `sysmalloc` were 22 % of the loop thread's samples, and `GET /v1/scans/{id}` over h2c ran
/// at 44k/s on one core. Keeping up to `trimThreshold` free at a heap's top: 62k/s, and no change for HTTP/1.1
/// (4 MiB was the smallest power of two that removed the faults; 1 MiB did not).
///
/// Fixing the trim threshold also stops glibc from raising its mmap threshold on its own, so that one is fixed too:
/// blocks below it come from the heap and are reused, larger ones are mapped and unmapped as glibc does by default.
/// Either threshold given through glibc's own environment variables wins: then neither is changed.
public enum AllocatorTuning {
    public static let trimThreshold: Int32 = 8 << 20
    public static let mmapThreshold: Int32 = 4 << 20

    /// True when the environment sets either threshold (`MALLOC_TRIM_THRESHOLD_`, `MALLOC_MMAP_THRESHOLD_`, or
    /// `glibc.malloc.trim_threshold` / `glibc.malloc.mmap_threshold` in `GLIBC_TUNABLES`).
    public static func isTunedByEnvironment(_ environment: [String: String]) -> Bool {
        if environment["MALLOC_TRIM_THRESHOLD_"] != nil || environment["MALLOC_MMAP_THRESHOLD_"] != nil { return true }
        guard let tunables = environment["GLIBC_TUNABLES"] else { return false }
        return tunables.contains("glibc.malloc.trim_threshold") || tunables.contains("glibc.malloc.mmap_threshold")
    }

    public enum Outcome: Sendable, Equatable {
        case applied
        /// The environment sets a threshold itself.
        case leftToEnvironment
        /// `mallopt` refused: the allocator is not glibc's (a sanitizer's, or one preloaded in its place).
        case refusedByAllocator
    }

    /// Applies both thresholds unless the environment sets one.
    @discardableResult
    public static func apply(environment: [String: String]) -> Outcome {
        guard !isTunedByEnvironment(environment) else { return .leftToEnvironment }
        let applied = mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1 && mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1
        return applied ? .applied : .refusedByAllocator
    }
}
