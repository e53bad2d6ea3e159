"""Event-stream attacks: GET /v1/events subscribers that never read while ~6 KB events are published.

Each subscriber shrinks its receive buffer before connecting (so the kernel takes little on its behalf) and never
reads a byte; then webhook deliveries to the `relay` source (a `scanrelay` provider) publish one event each. The
server must drop such a subscriber as soon as its unsent event bytes would pass its buffer
(`cache.sseSubscriberBufferBytes`), counting it in `scanrelay_sse_subscribers_dropped_total{reason="slow"}`: a
subscriber ended any other way (the write timeout, the ring overrun) does not count. Over HTTP/2 the same with many
streams on few connections: each stream is reset on its own.

How soon: everything a dropped subscriber was sent reaches it once it reads, so the client counts it (per stream
over HTTP/2): what its kernel took before it stopped reading plus at most its buffer, not the megabytes a kernel's
autotuned send buffer would queue. The drops themselves are awaited for at most the write timeout after the last
event: every buffer was full long before (the events are many buffers' worth), and a later end could as well be
the timeout's.

Memory is measured against a control. Every published event also stores its scan and a copy in the event ring,
which stay (about 28 KiB per event with these payloads, measured): that is what the flood costs with or without subscribers.
So each attack first publishes the same number of events of the same size with no subscriber (the control), then
with the subscribers (the flood); what the subscribers cost is the flood's RSS growth minus the control's. The
bound for it is what the server may hold for them by design, from the configured buffer (see `_bound_kib`). The
difference errs low when the subscribers' connection phase frees memory the flood's stored events then reuse
(over HTTP/2, the 3,000 streams answered 503 beyond the subscriber cap: the figure can come out negative), never
high; what keeps the held bytes bounded by construction is the per-subscriber check above. The suite's baseline
is raised by what the control and the flood leave stored, for the RSS check after each attack.

Also usable on its own, to measure a server started by hand:

    python3 attacks_sse.py --port PORT --pid PID [--h2] [--subscribers N] [--connections C --streams S] [--events E]
"""

import json
import selectors
import socket
import struct
import time
from dataclasses import dataclass

import hpack

from harness import Reader, Target, check, request

# The suite's server has API tokens (run.sh): subscribers read events with the reader's.
READER = b"Authorization: Bearer hostile-reader"

RECEIVE_BUFFER = 4096
RESPONSE_HEAD = 512  # the event stream's status line and fields
EVENT_CHECKS = 24  # 24 checks of ~230 bytes each: an event of about 6 KB on the stream
BATCH = 100        # deliveries per publishing connection; RSS and drops are sampled between batches
DROP_STEP = 5      # the same while subscribers remain

SLOW_DROPS = "scanrelay_sse_subscribers_dropped_total"
SLOW_LABEL = 'reason="slow"'

# The server's output buffering per connection (HTTPServerConfiguration's defaults, not configurable): an HTTP/2
# session's frames move to the connection's output while it is below the high-water mark, at most a low-water mark's
# worth (plus one frame) at a time. Those bytes have left every stream's buffer.
OUTBOUND_HIGH_WATER = 256 * 1024
OUTBOUND_LOW_WATER = 64 * 1024
H2_FRAME = 16 * 1024

_next_index = 0


def delivery(index):
    """A `scanrelay` webhook body for a new scan: each delivery publishes one event of about 6 KB."""
    checks = [{"name": f"check-{n:02d}", "score": n / 10,
               "reason": f"hostile stream filler {index}/{n} " + "x" * 160,
               "url": f"https://example.test/checks/{n}"} for n in range(EVENT_CHECKS)]
    scan = {"id": f"flood:{index}", "source": "flood", "provider": "opsmx", "upstreamId": f"flood-{index:06d}",
            "subject": {"imageId": f"image-{index:06d}"}, "status": "running", "upstreamStatus": "running",
            "createdAt": "2025-01-20T10:00:00Z", "updatedAt": "2025-01-20T10:00:00Z",
            "upstreamUpdatedAt": "2025-01-20T10:00:00Z", "completedAt": None, "findings": None, "score": None,
            "checks": checks, "via": "webhook", "revision": 1}
    return json.dumps({"type": "scan.updated", "data": scan}).encode()


def _new_indices(count):
    """The first of `count` scan numbers never published before in this run: each event is a new scan, so the
    control and the flood store the same amount."""
    global _next_index
    first, _next_index = _next_index, _next_index + count
    return first


def metric(target, name, label=None):
    """The sum of a metric's samples (the label sets whose line starts with `name`, and holds `label` when given),
    from GET /metrics."""
    sock = target.connect()
    try:
        sock.sendall(request(b"GET", b"/metrics"))
        text = Reader(sock).response().body.decode()
    finally:
        sock.close()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and line[len(name)] in " {" and (label is None or label in line))


def slow_drops(target):
    return metric(target, SLOW_DROPS, SLOW_LABEL)


def _tiny_socket(target):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.settimeout(5.0)
    sock.connect((target.host, target.port))
    return sock


def _await_subscribers(target, count, seconds=10.0):
    deadline = time.monotonic() + seconds
    seen = metric(target, "scanrelay_sse_subscribers")
    while seen < count and time.monotonic() < deadline:
        time.sleep(0.1)
        seen = metric(target, "scanrelay_sse_subscribers")
    check(seen >= count, f"only {seen:g} of {count} subscribers registered")


def publish_range(target, first, count):
    accepted = 0
    sock = target.connect(timeout=10)
    reader = Reader(sock, 10.0)
    try:
        for index in range(first, first + count):
            body = delivery(index)
            sock.sendall(request(b"POST", b"/v1/webhooks/relay",
                                 [b"Content-Type: application/json", b"Content-Length: %d" % len(body)], body))
            accepted += 200 <= reader.response().status < 300
    finally:
        sock.close()
    return accepted


@dataclass
class Phase:
    """One publishing run: RSS before it, at its peak and right after it, and what was accepted."""
    before_kib: int
    peak_kib: int
    after_kib: int
    accepted: int
    seconds: float
    # With subscribers: slow drops counted, and after how many events (and seconds) the last one was.
    dropped: float = 0
    all_dropped_after_events: int = None
    all_dropped_after_seconds: float = None

    @property
    def growth_kib(self):
        return self.peak_kib - self.before_kib


def _publish(target, events, subscribers=0, drop_deadline=0.0):
    """Publishes `events` new events in batches, sampling RSS (and, with `subscribers`, the slow drops) after each.
    With subscribers it then waits up to `drop_deadline` seconds for the last drops, sampling RSS meanwhile."""
    first = _new_indices(events)
    dropped_before = slow_drops(target) if subscribers else 0
    started = time.monotonic()
    phase = Phase(target.rss_kib(), 0, 0, 0, 0.0)
    phase.peak_kib = phase.before_kib

    def sample(published):
        phase.peak_kib = max(phase.peak_kib, target.rss_kib())
        if subscribers and phase.all_dropped_after_events is None:
            phase.dropped = slow_drops(target) - dropped_before
            if phase.dropped >= subscribers:
                phase.all_dropped_after_events = published
                phase.all_dropped_after_seconds = time.monotonic() - started

    offset = 0
    while offset < events:
        # Fine steps while subscribers remain, so the count of events it took to drop them all is close.
        count = min(DROP_STEP if subscribers and phase.all_dropped_after_events is None else BATCH, events - offset)
        phase.accepted += publish_range(target, first + offset, count)
        offset += count
        sample(offset)
    phase.after_kib = target.rss_kib()
    deadline = time.monotonic() + drop_deadline
    while subscribers and phase.all_dropped_after_events is None and time.monotonic() < deadline:
        time.sleep(0.05)
        sample(events)
    phase.seconds = time.monotonic() - started
    return phase


def _bound_kib(subscribers, buffer_bytes, event_bytes, connections=0):
    """What the server may hold for never-reading subscribers, by design: per subscriber, its unreceived bytes (at
    most its buffer: the write that would pass it drops the subscriber instead; part of them may be in the kernel,
    which is not RSS) plus the event frame being written. Over HTTP/2, each connection's output besides: up to the
    high-water mark, plus one batch of frames (those bytes count against their streams' buffers too, but sit in
    the connection's array, which keeps its capacity while the connection lives)."""
    per_subscriber = buffer_bytes + event_bytes
    per_connection = OUTBOUND_HIGH_WATER + OUTBOUND_LOW_WATER + H2_FRAME
    return (subscribers * per_subscriber + connections * per_connection) // 1024


def _read_until_closed(sockets, seconds, on_bytes=lambda sock, chunk: None):
    """Reads never-read sockets all at once, for at most `seconds`, until the server closes (or resets) them:
    what the server's kernel still holds arrives as each window opens. Returns how many ended."""
    ended = 0
    with selectors.DefaultSelector() as selector:  # epoll: the suite's descriptors may pass select()'s 1024
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
                try:
                    chunk = key.fileobj.recv(1 << 20)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    on_bytes(key.fileobj, chunk)
                else:
                    ended += 1
                    selector.unregister(key.fileobj)
    return ended


def _check_flood(control, flood, subscribers, events, bound_kib, what):
    cost = flood.growth_kib - control.growth_kib
    check(control.accepted == events and flood.accepted == events,
          f"only {control.accepted} and {flood.accepted} of {events} deliveries accepted")
    check(flood.dropped >= subscribers,
          f"only {flood.dropped:g} of {subscribers} {what} dropped as slow within {flood.seconds:.1f} s")
    check(cost <= bound_kib, f"the {what} cost {cost // 1024} MiB (flood +{flood.growth_kib // 1024} MiB, control "
                             f"+{control.growth_kib // 1024} MiB), more than the {bound_kib // 1024} MiB their "
                             f"buffers may hold")
    return cost


def _figures(control, flood, cost, bound_kib):
    return (f"RSS +{flood.growth_kib // 1024} MiB with them vs +{control.growth_kib // 1024} MiB for the same events "
            f"alone: they cost {cost / 1024:.1f} MiB (bound {bound_kib / 1024:.1f} MiB); all dropped as slow after "
            f"{flood.all_dropped_after_events} events, {flood.all_dropped_after_seconds:.1f} s")


def _retained(control):
    """What the control and the flood leave stored between them (scans and ring events): the same twice."""
    return 2 * max(0, control.after_kib - control.before_kib)


def never_reading_subscribers(target, limits, count=300, events=2000):
    """`count` HTTP/1.1 subscribers with a 4 KiB receive buffer that never read, then `events` events of ~6 KB:
    what they cost stays within their buffers, every one is dropped as slow (its connection closed) within the
    write timeout of the last event. Returns (details, KiB the stored events retain)."""
    buffer_bytes = limits.sse_buffer_bytes
    control = _publish(target, events)
    sockets = []
    try:
        for _ in range(count):
            sock = _tiny_socket(target)
            sock.sendall(request(b"GET", b"/v1/events", [b"Accept: text/event-stream", READER]))
            sockets.append(sock)
        _await_subscribers(target, count)
        # A drop later than the write timeout could as well be the timeout's: by then every buffer was full long ago
        # (events x ~6 KB is many buffers' worth), so that is the most the server may take to notice.
        flood = _publish(target, events, subscribers=count, drop_deadline=limits.write_timeout)
        received = {sock: 0 for sock in sockets}

        def count_bytes(sock, chunk):
            received[sock] += len(chunk)

        closed = _read_until_closed(sockets, limits.write_timeout, count_bytes)
    finally:
        for sock in sockets:
            sock.close()
    bound = _bound_kib(count, buffer_bytes, len(delivery(0)))
    cost = _check_flood(control, flood, count, events, bound, "subscribers")
    check(closed == count, f"{count - closed} of {count} subscribers' connections still open")
    # Everything a subscriber was sent arrives once it reads: what its kernel took before it stopped (its receive
    # buffer, which Linux doubles) plus what it had not received when dropped (at most its buffer). Far less than
    # the events published: the server stopped sending as soon as that buffer was full, in its kernel as in itself.
    most, allowed = max(received.values()), buffer_bytes + 2 * RECEIVE_BUFFER + RESPONSE_HEAD
    check(most <= allowed, f"a subscriber was sent {most} bytes before its drop, more than its buffer allows "
                           f"({allowed}: {buffer_bytes} + its receive buffer)")
    return (f"{count} HTTP/1.1 subscribers, {events} events of ~{len(delivery(0)) // 1024} KB: "
            + _figures(control, flood, cost, bound) + f"; each was sent at most {most // 1024} KiB (allowed "
            f"{allowed // 1024})", _retained(control))


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS, RST_STREAM, WINDOW_UPDATE = 0x0, 0x1, 0x4, 0x3, 0x8
END_STREAM, END_HEADERS = 0x1, 0x4
INITIAL_WINDOW_SIZE = 0x4


def _frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def _h2_subscriber_connection(target, streams):
    """Prior-knowledge h2c with the largest windows a client may grant (so flow control holds nothing back), then
    `streams` GET /v1/events streams; never reads."""
    sock = _tiny_socket(target)
    encoder = hpack.Encoder()
    opening = PREFACE + _frame(SETTINGS, 0, 0, struct.pack(">HI", INITIAL_WINDOW_SIZE, 0x7FFFFFFF))
    opening += _frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x7FFFFFFF - 65535))
    block = encoder.encode([(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/v1/events"),
                            (b":authority", b"h"), (b"authorization", b"Bearer hostile-reader")])
    opening += b"".join(_frame(HEADERS, END_STREAM | END_HEADERS, 2 * n + 1, block) for n in range(streams))
    sock.sendall(opening)
    return sock


def _read_streams(sockets, seconds):
    """Reads what the server sent on never-read h2 connections for at most `seconds`: RST_STREAM frames seen, DATA
    bytes per stream, and how many connections ended."""
    buffers, resets, data = {sock: b"" for sock in sockets}, [0], {}

    def frames(sock, chunk):
        buffer = buffers[sock] + chunk
        while len(buffer) >= 9 and len(buffer) >= 9 + int.from_bytes(buffer[:3], "big"):
            length = int.from_bytes(buffer[:3], "big")
            stream = (sock, int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF)
            resets[0] += buffer[3] == RST_STREAM
            if buffer[3] == DATA:
                data[stream] = data.get(stream, 0) + length
            buffer = buffer[9 + length:]
        buffers[sock] = buffer

    ended = _read_until_closed(sockets, seconds, frames)
    return resets[0], data, ended


def never_reading_h2_streams(target, limits, connections=40, streams=100, events=2000):
    """`connections` h2c connections x `streams` event streams (issue 14: 40 x 100), none ever read, then `events`
    events of ~6 KB. Streams beyond the server's subscriber cap are answered 503; what the subscribed ones cost stays
    within their buffers plus their connections' output, and every one is dropped as slow (its stream reset on its
    own) within the write timeout of the last event. Returns (details, KiB the stored events retain)."""
    buffer_bytes = limits.sse_buffer_bytes
    total = connections * streams
    subscribed = min(total, limits.max_sse_subscribers)
    control = _publish(target, events)
    sockets = []
    try:
        for _ in range(connections):
            sockets.append(_h2_subscriber_connection(target, streams))
        _await_subscribers(target, subscribed)
        flood = _publish(target, events, subscribers=subscribed, drop_deadline=limits.write_timeout)
        # The RST_STREAMs and DATA reach the client once it reads, unless the write timeout closed the connection
        # first (one left with nothing but queued frames for a reader that never reads): then nothing to count.
        resets, data, ended = _read_streams(sockets, 2.0)
    finally:
        for sock in sockets:
            sock.close()
    bound = _bound_kib(subscribed, buffer_bytes, len(delivery(0)), connections)
    cost = _check_flood(control, flood, subscribed, events, bound, "streams")
    # As over HTTP/1.1: a stream was sent what its connection's reader took before it stopped (one receive buffer,
    # shared by the connection's streams) plus at most its buffer's worth the reader had not received.
    most, allowed = max(data.values(), default=0), buffer_bytes + 2 * RECEIVE_BUFFER
    check(most <= allowed, f"a stream was sent {most} bytes of DATA before its reset, more than its buffer allows "
                           f"({allowed}: {buffer_bytes} + the receive buffer)")
    return (f"{connections} h2c connections x {streams} streams ({subscribed} subscribed), {events} events: "
            + _figures(control, flood, cost, bound) + f"; client saw {resets} RST_STREAM on {len(sockets) - ended} "
            f"open connections, each stream sent at most {most // 1024} KiB of DATA (allowed {allowed // 1024})",
            _retained(control))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="never-reading SSE subscribers: what they cost, how fast dropped")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--h2", action="store_true")
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--max-sse-subscribers", dest="max_sse_subscribers", type=int, default=1000)
    parser.add_argument("--sse-buffer-bytes", dest="sse_buffer_bytes", type=int, default=64 * 1024)
    parser.add_argument("--write-timeout", dest="write_timeout", type=float, default=30.0)
    arguments = parser.parse_args()
    target = Target(arguments.host, arguments.port, arguments.pid)
    if arguments.h2:
        result = never_reading_h2_streams(target, arguments, arguments.connections, arguments.streams, arguments.events)
    else:
        result = never_reading_subscribers(target, arguments, arguments.subscribers, arguments.events)
    print(result[0])
