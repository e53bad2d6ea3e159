"""Attacks on connection resources: slow clients, clients that never read, floods of connections and requests."""

import threading
import time

from harness import Reader, check, exchange, readable, request


def _reap(sockets, closed, started):
    """Marks in `closed` (socket -> seconds since `started`) every socket the server has answered or closed."""
    for sock in sockets:
        if sock not in closed and readable(sock):
            try:
                sock.recv(65536)  # a 408, or EOF: either way the server is done with it
            except OSError:
                pass
            closed[sock] = time.monotonic() - started


def _trickle(sockets, closed, started, seconds, interval):
    """Sends one byte on every open socket each `interval` for `seconds`, reaping closed ones; returns the time of
    the last byte sent."""
    last = time.monotonic()
    while len(closed) < len(sockets) and time.monotonic() - started < seconds:
        _reap(sockets, closed, started)
        for sock in sockets:
            if sock not in closed:
                try:
                    sock.send(b"a")
                except OSError:
                    closed[sock] = time.monotonic() - started
        last = time.monotonic()
        time.sleep(interval)
    return last


def _await_closed(sockets, closed, started, seconds):
    deadline = time.monotonic() + seconds
    while len(closed) < len(sockets) and time.monotonic() < deadline:
        _reap(sockets, closed, started)
        time.sleep(0.05)


def slowloris_headers(target, limits, count=200):
    """`count` connections each trickling a header line byte by byte: all closed at the header timeout."""
    sockets = [target.connect() for _ in range(count)]
    closed, started = {}, time.monotonic()
    try:
        for sock in sockets:
            sock.send(b"GET /healthz HTTP/1.1\r\nHost: h\r\nX-Slow: ")
        grace = limits.header_timeout + 2.0
        _trickle(sockets, closed, started, grace, 0.25)
    finally:
        for sock in sockets:
            sock.close()
    check(len(closed) == count, f"{count - len(closed)} of {count} connections still open after {grace:.1f} s")
    earliest, latest = min(closed.values()), max(closed.values())
    check(earliest >= limits.header_timeout - 0.25, f"a connection was closed early, after {earliest:.2f} s")
    return f"{count} connections closed {earliest:.2f}-{latest:.2f} s after their first byte (headerTimeout {limits.header_timeout:g} s)"


def slowloris_body(target, limits, count=50, trickled=4):
    """Content-Length 1000, one body byte per second for `trickled` seconds (longer than bodyTimeout: progress
    keeps the connection, as bodyTimeout is documented as the longest *pause*), then silence: closed one
    bodyTimeout after the last byte."""
    sockets = [target.connect() for _ in range(count)]
    head = request(b"POST", b"/v1/webhooks/relay", [b"Content-Type: application/json", b"Content-Length: 1000"])
    closed, started = {}, time.monotonic()
    try:
        for sock in sockets:
            sock.send(head)
        last_byte = _trickle(sockets, closed, started, trickled, 1.0)
        check(not closed, f"{len(closed)} connections closed while their body was still progressing")
        grace = limits.body_timeout + 2.0
        _await_closed(sockets, closed, started, grace)
    finally:
        for sock in sockets:
            sock.close()
    check(len(closed) == count, f"{count - len(closed)} of {count} still open {grace:g} s after the last byte")
    pause = [at - (last_byte - started) for at in closed.values()]
    check(min(pause) >= limits.body_timeout - 0.25, f"a connection was closed {min(pause):.2f} s after its last byte")
    return (f"{count} connections kept while trickling {trickled} s at 1 B/s, closed {min(pause):.2f}-"
            f"{max(pause):.2f} s after the last byte (bodyTimeout {limits.body_timeout:g} s)")


def never_reads(target, limits, seconds=4.0, growth_mib=16):
    """Pipelines GETs of a 34 KB document for `seconds` without reading a byte. The server must stop taking
    requests once its output backs up (maxPipelinedRequests, outbound high-water mark), so its RSS grows by at most
    `growth_mib` MiB for this one connection, and it drops the client after writeTimeout."""
    one = request(b"GET", b"/openapi.yaml")
    batch = one * 100
    before = peak = target.rss_kib()
    sock = target.connect()
    sock.setblocking(False)
    sent, started = 0, time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            try:
                sent += sock.send(batch)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
            peak = max(peak, target.rss_kib())
        sock.setblocking(True)
        dropped = Reader(sock).closed_within(limits.write_timeout + 3.0)
    finally:
        sock.close()
    growth = (peak - before) // 1024
    check(growth <= growth_mib, f"RSS grew {growth} MiB ({before // 1024} -> {peak // 1024} MiB) for one client "
                                f"that never reads: responses are produced faster than they can be sent")
    check(dropped, f"connection still open {limits.write_timeout + 3:g} s after the client stopped reading")
    return (f"{sent // len(one)} requests sent ({sent // 1024} KiB, mostly into kernel socket buffers), RSS grew "
            f"{growth} MiB, dropped after writeTimeout")


def connection_flood(target, limits, extra=50):
    """maxConnections + `extra` idle connections: the extra ones get 503 + Connection: close at once."""
    sockets = []
    try:
        for _ in range(limits.max_connections + extra):
            sockets.append(target.connect())
        time.sleep(0.5)
        refused = 0
        for sock in sockets:
            if not readable(sock):
                continue
            reader = Reader(sock, 1.0)
            response = reader.response()
            check(response.status == 503 and response.closes(), f"refused with {response.status}, close={response.closes()}")
            check(reader.closed_within(1.0), "503 without closing")
            refused += 1
    finally:
        for sock in sockets:
            sock.close()
    # The normal client holds a slot now and then, so up to a few more than `extra` may be refused.
    check(extra <= refused <= extra + 5, f"{refused} connections refused, expected about {extra}")
    response, _ = exchange(target, request(b"GET", b"/healthz"), close_wait=None)
    check(response.status == 200, f"after the flood closed, /healthz answered {response.status}")
    return f"{len(sockets)} connections: {refused} refused with 503 + close; served again once they closed"


def pipelined_flood(target, limits, count=10_000):
    """`count` pipelined GETs on one connection, each tagged with X-Request-Id: all answered, in order."""
    sock = target.connect(timeout=30)
    payload = b"".join(request(b"GET", b"/healthz", [b"X-Request-Id: p%d" % i]) for i in range(count))
    writer = threading.Thread(target=sock.sendall, args=(payload,), daemon=True)
    writer.start()
    reader = Reader(sock, 30.0)
    try:
        for i in range(count):
            response = reader.response()
            check(response.status == 200, f"response {i}: status {response.status}")
            got = response.headers.get("x-request-id")
            check(got == f"p{i}", f"response {i} carries request id {got}: out of order")
    finally:
        writer.join(5)
        sock.close()
    return f"{count} pipelined requests answered in order"

