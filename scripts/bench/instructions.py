"""Drives a `scanrelay serve` running under callgrind and prints instructions per request for each endpoint.

    python3 instructions.py PID PORT SOURCE SECRET OUTFILE REQUESTS SCANS

Seeds SCANS scans through signed webhooks, warms every endpoint up, then per endpoint: zero callgrind's counters
(`callgrind_control --zero`), send REQUESTS requests one after another on one keep-alive connection, dump the
counters (`callgrind_control --dump`) and divide the dump's total instruction count by REQUESTS. The count covers
every thread of the server (event loop, cooperative pool, timers), so it is what one request costs the process,
whatever else runs on the machine. The client runs in this process, outside callgrind, and is never counted.
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
    before = set(glob.glob(outfile + ".*"))
    callgrind("--zero")
    for n in range(requests):
        send(conn, n)
    callgrind("--dump=" + name.replace(" ", "_"))
    for _ in range(600):  # the dump is written asynchronously by the server's next scheduled thread
        new = set(glob.glob(outfile + ".*")) - before
        if new and total(max(new, key=os.path.getmtime)) is not None:
            break
        time.sleep(0.1)
    else:
        sys.exit(f"no callgrind dump for {name}")
    print(f"{name:<28} {total(max(new, key=os.path.getmtime)) / requests:>12,.0f}")


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
