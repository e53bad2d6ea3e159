/// A FIFO of poll jobs for one source, with room to put an urgent job (a webhook hint) at the front.
/// Popping is O(1) amortised: a head index walks forward and the array is compacted once half of it is spent.
struct JobQueue {
    private var items: [WatchScheduler.Job] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ job: WatchScheduler.Job) { items.append(job) }

    mutating func prepend(_ job: WatchScheduler.Job) {
        if head > 0 {
            head -= 1
            items[head] = job
        } else {
            items.insert(job, at: 0)
        }
    }

    mutating func popFirst() -> WatchScheduler.Job? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return job
    }
}
