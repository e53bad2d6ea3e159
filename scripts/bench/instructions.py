"""Drives a `scanrelay serve` running under callgrind and prints instructions per request for each endpoint.

    python3 instructions.py PID PORT SOURCE SECRET OUTFILE REQUESTS SCANS [h2c]

Seeds SCANS scans through signed webhooks, warms every endpoint up, then per endpoint: zero callgrind's counters
(`callgrind_control --zero`), send REQUESTS requests one after another on one keep-alive connection, dump the
counters (`callgrind_control --dump`) and divide the dump's total instruction count by REQUESTS. The count covers
every thread of the server (event loop, cooperative pool, timers), so it is what one request costs the process,
whatever else runs on the machine. The client runs in this process, outside callgrind, and is never counted.

The h2c rows send the scan lookups over HTTP/2 with prior knowledge (Python `h2`), one stream at a time and then
10 streams in flight at once, as h2load's `-m 10` does: against the HTTP/1.1 row they show what nghttp2's framing
and HPACK add per request, and what batching saves. Only servers that speak h2c are measured that way.
"""
import base64, glob, hashlib, hmac, http.client, json, os, random, socket, subprocess, sys, time

pid, port, source, secret, outfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
requests, scans = int(sys.argv[6]), int(sys.argv[7])
key = base64.b64decode(secret[len("whsec_"):])


def body(i):
    """The scan document compare.sh and Benchmarks/HummingbirdBench use."""
    return json.dumps({"type": "scan.completed", "data": {
        "id": f"{source}:bench-{i}", "source": source, "provider": "binarly", "upstreamId": f"bench-{i}",
        "subject": {"imageId": f"image-{i}", "productId": f"product-{i % 100}"},
        "status": "completed", "upstreamStatus": "done", "createdAt": "2026-01-20T10:00:00Z",
        "updatedAt": "2026-01-20T10:42:20Z", "upstreamUpdatedAt": "2026-01-20T10:42:17Z",
        "completedAt": "2026-01-20T10:42:17Z",
        "findings": {"critical": 0, "high": 1, "medium": 2, "low": 0, "negligible": 0, "unknown": 0, "total": 3},
        "score": None, "checks": [], "via": "webhook", "revision": 1}}, separators=(",", ":"))


def connect():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.connect()  # http.client writes headers and body separately: without NODELAY, Nagle stalls each one
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def webhook(conn, i, prefix):
    b, msg_id, ts = body(i), f"msg_{prefix}_{i}", str(int(time.time()))
    mac = hmac.new(key, f"{msg_id}.{ts}.{b}".encode(), hashlib.sha256).digest()
    conn.request("POST", f"/v1/webhooks/{source}", b, {"Content-Type": "application/json",
                 "webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": "v1," + base64.b64encode(mac).decode()})
    return expect(conn, 202)


def get(conn, path):
    conn.request("GET", path)
    return expect(conn, 200)


def expect(conn, status):
    response = conn.getresponse()
    response.read()
    if response.status != status:
        sys.exit(f"expected {status}, got {response.status}")


def callgrind(*args):
    subprocess.run(["callgrind_control", *args, pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def measure(name, send):
    """Instructions per request of `send(conn, n)` over `requests` requests."""
    measure_run(name, lambda: [send(conn, n) for n in range(requests)])


def measure_run(name, run):
    """Instructions per request of `run()`, which sends `requests` requests."""
    before = set(glob.glob(outfile + ".*"))
    callgrind("--zero")
    run()
    callgrind("--dump=" + name.replace(" ", "_").replace("/", "_"))
    for _ in range(600):  # the dump is written asynchronously by the server's next scheduled thread
        new = set(glob.glob(outfile + ".*")) - before
        if new and total(max(new, key=os.path.getmtime)) is not None:
            break
        time.sleep(0.1)
    else:
        sys.exit(f"no callgrind dump for {name}")
    print(f"{name:<28} {total(max(new, key=os.path.getmtime)) / requests:>12,.0f}")


class H2Client:
    """HTTP/2 with prior knowledge over one socket; sends GETs in batches and checks every status."""

    def __init__(self):
        import h2.config, h2.connection
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.sock.sendall(self.h2.data_to_send())

    def get(self, paths):
        import h2.events
        open_streams = {}
        for path in paths:
            stream = self.h2.get_next_available_stream_id()
            self.h2.send_headers(stream, [(":method", "GET"), (":scheme", "http"), (":authority", "bench"),
                                          (":path", path)], end_stream=True)
            open_streams[stream] = None
        self.sock.sendall(self.h2.data_to_send())
        while any(status is None or status > 0 for status in open_streams.values()):
            data = self.sock.recv(65536)
            if not data:
                sys.exit("the server closed the h2c connection")
            for event in self.h2.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    open_streams[event.stream_id] = int(dict(event.headers)[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    if open_streams[event.stream_id] != 200:
                        sys.exit(f"h2c: expected 200, got {open_streams[event.stream_id]}")
                    open_streams[event.stream_id] = 0
            self.sock.sendall(self.h2.data_to_send())


def h2_lookups(client, batch):
    def run():
        for _ in range(requests // batch):
            client.get([f"/v1/scans/{source}:bench-{ids.randrange(scans)}" for _ in range(batch)])
    return run


def total(path):
    with open(path) as dump:
        for line in dump:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    return None


conn = connect()
for i in range(scans):
    webhook(conn, i, "seed")
ids = random.Random(42)
for n in range(50):  # warm-up: first-use allocations and lazy initialisation are not a request's cost
    get(conn, "/healthz")
    get(conn, f"/v1/scans/{source}:bench-{ids.randrange(scans)}")
    webhook(conn, scans + n, "warm")

print(f"{'endpoint':<28} {'instr/request':>12}")
measure("GET /healthz", lambda c, n: get(c, "/healthz"))
measure("GET /v1/scans/{id}", lambda c, n: get(c, f"/v1/scans/{source}:bench-{ids.randrange(scans)}"))
measure("POST /v1/webhooks/{source}", lambda c, n: webhook(c, scans + 100 + n, "run"))
if len(sys.argv) > 8 and sys.argv[8] == "h2c":
    h2 = H2Client()
    for _ in range(50):  # warm-up, as above
        h2.get([f"/v1/scans/{source}:bench-{ids.randrange(scans)}" for _ in range(10)])
    measure_run("h2c GET /v1/scans/{id}", h2_lookups(h2, 1))
    measure_run("h2c GET /v1/scans/{id} x10", h2_lookups(h2, 10))
