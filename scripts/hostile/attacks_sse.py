"""Event-stream attacks: GET /v1/events subscribers that never read while ~6 KB events are published.

Each subscriber shrinks its receive buffer before connecting (so the kernel takes little on its behalf) and never
reads a byte; then signed-or-not webhook deliveries to the `relay` source (a `scanrelay` provider) publish one event
each. What the server holds for such a subscriber must stay bounded (its per-subscriber buffer), and it must be
dropped as soon as that buffer is full, not one writeTimeout later. Over HTTP/2 the same with many streams on few
connections: each stream is reset on its own.

Also usable on its own, to measure a server started by hand:

    python3 attacks_sse.py --port PORT --pid PID [--h2] [--subscribers N] [--connections C --streams S] [--events E]
"""

import json
import socket
import struct
import time

import hpack

from harness import Reader, Target, check, readable, request

# The suite's server has API tokens (run.sh): subscribers read events with the reader's.
READER = b"Authorization: Bearer hostile-reader"

RECEIVE_BUFFER = 4096
EVENT_CHECKS = 24  # 24 checks of ~230 bytes each: an event of about 6 KB on the stream


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


def metric(target, name):
    """The sum of a metric's samples (all label sets whose line starts with `name`), from GET /metrics."""
    sock = target.connect()
    try:
        sock.sendall(request(b"GET", b"/metrics"))
        text = Reader(sock).response().body.decode()
    finally:
        sock.close()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and line[len(name)] in " {")


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


def _flood(target, sockets, expected, events):
    """Publishes `events` while sampling RSS; returns (baseline, peak, accepted, dropped by the server)."""
    dropped_before = metric(target, "scanrelay_sse_subscribers_dropped_total")
    _await_subscribers(target, expected)
    before = peak = target.rss_kib()
    accepted = 0
    for first in range(0, events, 100):
        accepted += publish_range(target, first, min(100, events - first))
        peak = max(peak, target.rss_kib())
    time.sleep(0.5)
    peak = max(peak, target.rss_kib())
    dropped = metric(target, "scanrelay_sse_subscribers_dropped_total") - dropped_before
    return before, peak, accepted, dropped


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


def _closed_by_server(sock, seconds=3.0):
    """True when the server closed (or reset) this never-read socket: reads what it was sent, then expects EOF
    (what the server's kernel still holds arrives as the window opens; silence for `seconds` means still open)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(1 << 20):
            pass
        return True
    except socket.timeout:
        return False
    except OSError:
        return True


def never_reading_subscribers(target, limits, count=300, events=2000, growth_mib=64):
    """`count` HTTP/1.1 subscribers with a 4 KiB receive buffer that never read, then `events` events of ~6 KB:
    RSS grows by less than `growth_mib` MiB and every subscriber is dropped (counted as slow) before writeTimeout."""
    sockets = []
    try:
        for _ in range(count):
            sock = _tiny_socket(target)
            sock.sendall(request(b"GET", b"/v1/events", [b"Accept: text/event-stream", READER]))
            sockets.append(sock)
        started = time.monotonic()
        before, peak, accepted, dropped = _flood(target, sockets, count, events)
        elapsed = time.monotonic() - started
        closed, wait = 0, 3.0
        for sock in sockets:
            if _closed_by_server(sock, wait):
                closed += 1
            else:
                wait = 0.2  # one still open: the rest are counted quickly, the check below fails anyway
    finally:
        for sock in sockets:
            sock.close()
    growth = (peak - before) // 1024
    check(accepted == events, f"only {accepted} of {events} deliveries accepted")
    check(growth < growth_mib, f"RSS grew {growth} MiB ({before // 1024} -> {peak // 1024} MiB) for {count} "
                               f"never-reading subscribers")
    check(dropped >= count, f"only {dropped:g} of {count} subscribers counted as dropped")
    check(closed == count, f"{count - closed} of {count} subscribers still open after {elapsed:.1f} s")
    return (f"{count} HTTP/1.1 subscribers, {events} events of ~{len(delivery(0)) // 1024} KB: RSS "
            f"{before // 1024} -> {peak // 1024} MiB (+{growth}), all dropped as slow within {elapsed:.1f} s")


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADERS, SETTINGS, RST_STREAM, WINDOW_UPDATE = 0x1, 0x4, 0x3, 0x8
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


def _count_resets(sock, seconds=3.0):
    """Reads what the server sent on a never-read h2 connection: RST_STREAM frames seen, and whether it closed."""
    resets, buffer, closed = 0, b"", False
    deadline = time.monotonic() + seconds
    sock.setblocking(True)
    while time.monotonic() < deadline:
        if not readable(sock, max(0.01, deadline - time.monotonic())):
            break
        try:
            chunk = sock.recv(1 << 20)
        except OSError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        buffer += chunk
        while len(buffer) >= 9:
            length = int.from_bytes(buffer[:3], "big")
            if len(buffer) < 9 + length:
                break
            resets += buffer[3] == RST_STREAM
            buffer = buffer[9 + length:]
    return resets, closed


def never_reading_h2_streams(target, limits, connections=40, streams=100, events=2000, growth_mib=128):
    """`connections` h2c connections × `streams` event streams (issue 14: 40 × 100), none ever read, then `events`
    events of ~6 KB. Streams beyond the server's subscriber cap are answered 503; RSS grows by less than `growth_mib`
    MiB and every subscribed stream is dropped as slow (reset on its own; the RST_STREAMs reach the client once it
    reads, unless writeTimeout closed the connection first)."""
    sockets = []
    try:
        for _ in range(connections):
            sockets.append(_h2_subscriber_connection(target, streams))
        started = time.monotonic()
        total = connections * streams
        subscribed = min(total, getattr(limits, "max_sse_subscribers", total))
        before, peak, accepted, dropped = _flood(target, sockets, subscribed, events)
        elapsed = time.monotonic() - started
        resets = [_count_resets(sock) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
    growth = (peak - before) // 1024
    check(accepted == events, f"only {accepted} of {events} deliveries accepted")
    check(growth < growth_mib, f"RSS grew {growth} MiB ({before // 1024} -> {peak // 1024} MiB) for {subscribed} "
                               f"never-read streams on {connections} connections")
    check(dropped >= subscribed, f"only {dropped:g} of {subscribed} streams counted as dropped")
    reset_count = sum(count for count, _ in resets)
    return (f"{connections} h2c connections x {streams} streams ({subscribed} subscribed), {events} events: RSS "
            f"{before // 1024} -> {peak // 1024} MiB (+{growth}), {dropped:g} dropped as slow within {elapsed:.1f} s, "
            f"{reset_count} RST_STREAM seen")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="never-reading SSE subscribers: RSS before and after")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--h2", action="store_true")
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--max-sse-subscribers", dest="max_sse_subscribers", type=int, default=1000)
    arguments = parser.parse_args()
    target = Target(arguments.host, arguments.port, arguments.pid)
    if arguments.h2:
        print(never_reading_h2_streams(target, arguments, arguments.connections, arguments.streams, arguments.events))
    else:
        print(never_reading_subscribers(target, None, arguments.subscribers, arguments.events))
