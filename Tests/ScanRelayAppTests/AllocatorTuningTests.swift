import Glibc
import Testing
@testable import ScanRelayApp

@Suite("The malloc thresholds serve sets")
struct AllocatorTuningTests {
    @Test(arguments: [
        ([:], false),
        (["GLIBC_TUNABLES": "glibc.rtld.nns=2", "MALLOC_ARENA_MAX": "2"], false),
        (["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1048576"], true),
        (["GLIBC_TUNABLES": "glibc.rtld.nns=2:glibc.malloc.mmap_threshold=65536"], true),
        (["MALLOC_TRIM_THRESHOLD_": "1048576"], true),
        (["MALLOC_MMAP_THRESHOLD_": "65536"], true),
    ] as [([String: String], Bool)])
    func environmentThresholds_Win(_ environment: [String: String], _ tuned: Bool) {
        #expect(AllocatorTuning.isTunedByEnvironment(environment) == tuned)
        if tuned { #expect(AllocatorTuning.apply(environment: environment) == .leftToEnvironment) }
    }

    @Test func withoutEnvironmentSettings_GlibcMallocTakesBoth() {
        let outcome = AllocatorTuning.apply(environment: [:])
        // A sanitizer's runtime brings its own allocator, which may answer `mallopt` with 0 (AddressSanitizer does).
        let sanitized = ["__asan_init", "__tsan_init"].contains { (name: String) in dlsym(nil, name) != nil }
        if sanitized {
            #expect(outcome == .applied || outcome == .refusedByAllocator)
        } else {
            #expect(outcome == .applied)
        }
    }
}
