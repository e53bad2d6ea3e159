"""Authorization attacks: the scope of a request must come from the route it matched, never from the raw target.

The bypass found in review (issue 14): the router decodes percent-escapes before matching, so `/%761/scans` is the
route `/v1/scans`; a check on the raw bytes (`startswith("/v1/")`) waved it through with no token. Every protected
route is tried here in several spellings, over HTTP/1.1 and h2c with prior knowledge, with no token and with a
read-only token: each must be refused (401, or 403 for a reader on a write route), and nothing may be created.
"""

import json

import hpack

from attacks_h2 import END_HEADERS, END_STREAM, HEADERS, PREFACE, SETTINGS, frame
from harness import check, exchange, readable, request

READER = b"Authorization: Bearer hostile-reader"

# (method, targets that all name one route, needs write)
ROUTES = [
    (b"GET", [b"/%761/scans", b"/v1/%73cans", b"/%76%31/%73%63%61%6E%73"], False),
    (b"GET", [b"/%761/scans/relay:x?view=full", b"/v1/%73cans/relay%3Ax"], False),
    (b"GET", [b"/%761/images/i/scans", b"/v1/%69mages/i/%73cans"], False),
    (b"GET", [b"/%761/events", b"/v1/%65vents"], False),
    (b"GET", [b"/%761/watches", b"/v1/%77atches/w"], False),
    (b"POST", [b"/%761/watches", b"/v1/%77atches", b"/v1/w%61tches"], True),
    (b"DELETE", [b"/%761/watches/w", b"/v1/%77atches/w"], True),
]
WATCH = b'{"source": "relay", "ref": {"scanId": "x"}}'


def _http1(target, method, path, headers):
    """The status code of the answer, read from its status line alone (an event stream never completes)."""
    body = WATCH if method == b"POST" else b""
    extra = [b"Content-Type: application/json", b"Content-Length: %d" % len(body)] if body else []
    with target.connect() as sock:
        sock.sendall(request(method, path, list(headers) + extra + [b"Connection: close"], body))
        received = b""
        while b"\r\n" not in received and readable(sock, 5.0):
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    line = received.split(b"\r\n", 1)[0].split(b" ")
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def _h2(target, method, path, headers):
    """One request on a fresh h2c connection (prior knowledge); the :status of its answer."""
    encoder, decoder = hpack.Encoder(), hpack.Decoder()
    fields = [(b":method", method), (b":scheme", b"http"), (b":path", path), (b":authority", b"hostile")]
    fields += [tuple(part.strip().lower() if i == 0 else part.strip() for i, part in enumerate(h.split(b":", 1)))
               for h in headers]
    body = WATCH if method == b"POST" else b""
    if body:
        fields.append((b"content-type", b"application/json"))
    block = encoder.encode(fields)
    with target.connect() as sock:
        sock.sendall(PREFACE + frame(SETTINGS, 0, 0)
                     + frame(HEADERS, END_HEADERS | (0 if body else END_STREAM), 1, block)
                     + (frame(0x0, END_STREAM, 1, body) if body else b""))
        buffer = b""
        while readable(sock, 5.0):
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 9:
                length = int.from_bytes(buffer[:3], "big")
                if len(buffer) < 9 + length:
                    break
                kind, flags, stream = buffer[3], buffer[4], int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
                payload, buffer = buffer[9:9 + length], buffer[9 + length:]
                if kind == HEADERS and stream == 1:
                    for name, value in decoder.decode(payload):
                        if name == ":status":
                            return int(value)
    return None


def encoded_paths(target, limits):
    tried = 0
    for send, transport in ((_http1, "HTTP/1.1"), (_h2, "h2c")):
        for method, paths, needs_write in ROUTES:
            for path in paths:
                status = send(target, method, path, [])
                check(status == 401, f"{transport} {method.decode()} {path.decode()} with no token: {status}")
                status = send(target, method, path, [READER])
                expected = 403 if needs_write else None
                if expected:
                    check(status == expected, f"{transport} {method.decode()} {path.decode()} as reader: {status}")
                else:
                    check(status not in (401, 403), f"{transport} {method.decode()} {path.decode()} as reader: {status}")
                tried += 2
    response, _ = exchange(target, request(b"GET", b"/v1/watches", [READER]), close_wait=None)
    watches = json.loads(response.body).get("watches", [])
    check(watches == [], f"refused requests created {len(watches)} watches")
    return f"{tried} encoded-path requests refused or scoped, 0 watches created"
