"""Attacks on HTTP/1.1 framing and size limits: smuggling variants, oversize parts, invalid bytes.

Each attack returns a one-line summary or raises AttackFailed. Expected answers follow RFC 9112 and the README's contract:
ambiguous framing is refused (400, or 501 for a transfer coding the server does not implement) and the connection
is closed, because after a framing error the server cannot know where the next request would start.
"""

import json

from harness import Reader, check, exchange, readable, request

WEBHOOK = b"/v1/webhooks/relay"
JSON = b"Content-Type: application/json"

SMUGGLING = [
    ("CL+TE", [b"Content-Length: 5", b"Transfer-Encoding: chunked"], b"0\r\n\r\nGET /x HTTP/1.1\r\n\r\n", {400}),
    ("TE+CL", [b"Transfer-Encoding: chunked", b"Content-Length: 5"], b"0\r\n\r\nGET /x HTTP/1.1\r\n\r\n", {400}),
    ("duplicate CL", [b"Content-Length: 5", b"Content-Length: 6"], b"{}{}{}", {400}),
    ("CL list", [b"Content-Length: 5, 6"], b"{}{}{}", {400}),
    ("CL sign", [b"Content-Length: +5"], b"{}{}{", {400}),
    ("TE chunked, identity", [b"Transfer-Encoding: chunked, identity"], b"0\r\n\r\n", {400, 501}),
    ("TE identity", [b"Transfer-Encoding: identity"], b"0\r\n\r\n", {400, 501}),
    ("TE chunked twice", [b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"], b"0\r\n\r\n", {400}),
    ("TE obs-fold", [b"Transfer-Encoding:", b" chunked"], b"0\r\n\r\n", {400}),
    ("TE space before colon", [b"Transfer-Encoding : chunked"], b"0\r\n\r\n", {400}),
    ("TE vertical tab", [b"Transfer-Encoding:\x0bchunked"], b"0\r\n\r\n", {400, 501}),
    ("TE xchunked", [b"Transfer-Encoding: xchunked"], b"0\r\n\r\n", {400, 501}),
    ("TE in HTTP/1.0", None, None, {400, 501}),
    ("chunk size not hex", [b"Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n", {400}),
    ("chunk size negative", [b"Transfer-Encoding: chunked"], b"-2\r\n{}\r\n0\r\n\r\n", {400}),
    ("chunk size 0x prefix", [b"Transfer-Encoding: chunked"], b"0x2\r\n{}\r\n0\r\n\r\n", {400}),
    ("chunk size overflow", [b"Transfer-Encoding: chunked"], b"1" + b"0" * 20 + b"\r\n{}\r\n0\r\n\r\n", {400, 413}),
    ("chunk size leading space", [b"Transfer-Encoding: chunked"], b" 2\r\n{}\r\n0\r\n\r\n", {400}),
    ("chunk data too long", [b"Transfer-Encoding: chunked"], b"1\r\n{}\r\n0\r\n\r\n", {400}),
    ("chunk bare LF", [b"Transfer-Encoding: chunked"], b"2\n{}\n0\n\n", {400}),
]


def smuggling(target, limits):
    answers = []
    for name, headers, body, allowed in SMUGGLING:
        if headers is None:
            raw = b"POST /v1/webhooks/relay HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        else:
            raw = request(b"POST", WEBHOOK, [JSON] + headers, body)
        response, closed = exchange(target, raw)
        check(response.status in allowed, f"{name}: status {response.status}, expected one of {sorted(allowed)}")
        check(response.closes(), f"{name}: {response.status} without Connection: close")
        check(closed, f"{name}: connection left open after {response.status}")
        answers.append(f"{name}={response.status}")
    return f"{len(SMUGGLING)} variants refused and closed ({', '.join(answers)})"


def oversize_request_line(target, limits):
    response, closed = exchange(target, request(b"GET", b"/healthz?" + b"a" * (limits.request_line + 100)))
    check(response.status == 414 and response.closes() and closed, f"status {response.status}, closed={closed}")
    return "414 + close"


def oversize_field(target, limits):
    response, closed = exchange(target, request(b"GET", b"/healthz", [b"X-Big: " + b"a" * (limits.header_bytes + 100)]))
    check(response.status == 431 and response.closes() and closed, f"status {response.status}, closed={closed}")
    return "431 + close"


def many_fields(target, limits):
    """10,000 fields sent in batches: the 431 must arrive long before the last batch (answered early)."""
    with target.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\n")
        sent = 0
        while sent < 10_000 and not readable(sock, 0.005):
            try:
                sock.sendall(b"".join(b"X-F%d: v\r\n" % (sent + i) for i in range(50)))
            except OSError:
                break
            sent += 50
        reader = Reader(sock)
        response = reader.response()
        closed = reader.closed_within(2.0)
    check(response.status == 431 and response.closes() and closed, f"status {response.status}, closed={closed}")
    check(sent < 10_000, "the answer only came after all 10,000 fields were sent")
    return f"431 + close after {sent} of 10000 fields sent"


def oversize_body(target, limits):
    """Content-Length 100 MB: 413 must come while the body streams, not after buffering it."""
    declared, chunk = 100_000_000, b"x" * 65536
    with target.connect() as sock:
        sock.sendall(request(b"POST", WEBHOOK, [JSON, b"Content-Length: %d" % declared]))
        sent = 0
        while sent < declared and not readable(sock, 0):
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
        reader = Reader(sock)
        response = reader.response()
        closed = reader.closed_within(2.0)
    check(response.status == 413, f"status {response.status}")
    check(response.closes() and closed, "413 without closing the connection")
    check(sent < declared, "413 only after the whole body was sent")
    return f"413 + close after {sent // 1024} KiB of {declared // 1_000_000} MB sent"


def post_json(path, body):
    # The API has tokens (run.sh): a writer's, so that the body, not the missing token, is what gets refused.
    headers = [JSON, b"Content-Length: %d" % len(body)]
    if path.startswith(b"/v1/watches"):
        headers.append(b"Authorization: Bearer hostile-writer")
    return request(b"POST", path, headers, body)


READER = b"Authorization: Bearer hostile-reader"

INVALID_BYTES = [
    ("path %FF%FE", request(b"GET", b"/v1/scans/%FF%FE", [READER]), None),
    ("path %00", request(b"GET", b"/v1/scans/a%00b", [READER]), None),
    ("path raw 0xFF", request(b"GET", b"/v1/scans/\xff\xfe", [READER]), {400}),
    ("path raw NUL", request(b"GET", b"/v1/scans/a\x00b", [READER]), {400}),
    ("query %00", request(b"GET", b"/v1/scans?source=a%00b", [READER]), None),
    ("query %FF", request(b"GET", b"/v1/scans?imageId=%FF%FE", [READER]), None),
    ("query raw 0xFF", request(b"GET", b"/v1/scans?imageId=\xff", [READER]), {400}),
    ("header NUL", request(b"GET", b"/healthz", [b"X-A: a\x00b"]), {400}),
    ("header 0xFF", request(b"GET", b"/v1/scans", [READER, b"X-A: \xff\xfe"]), None),
    ("watch JSON invalid UTF-8", post_json(b"/v1/watches", b'{"source":"\xff\xfe","ref":{"a":1}}'), {400}),
    ("watch JSON \\u0000", post_json(b"/v1/watches", b'{"source":"a\\u0000b","ref":{"a":1}}'), {400, 422}),
    ("webhook JSON invalid UTF-8", post_json(WEBHOOK, b'{"type":"\xc3\x28"}'), {400}),
    ("webhook JSON lone surrogate", post_json(WEBHOOK, b'{"type":"\\ud800"}'), {400}),
]


def invalid_bytes(target, limits):
    answers = []
    for name, raw, allowed in INVALID_BYTES:
        response, _ = exchange(target, raw, close_wait=None)
        if allowed is None:
            check(400 <= response.status < 500 or response.status == 200, f"{name}: status {response.status}")
        else:
            check(response.status in allowed, f"{name}: status {response.status}, expected one of {sorted(allowed)}")
        if response.status >= 400 and response.body:
            check(response.headers.get("content-type", "").startswith("application/problem+json"),
                  f"{name}: {response.status} is not problem+json")
            json.loads(response.body)
        answers.append(f"{name}={response.status}")
    return ", ".join(answers)

