#!/usr/bin/env python3
"""Server CPU per signed webhook when the signature header lists 1 entry vs 16 (issue 14's CPU amplification).

Starts `scanrelay serve` with one standard-webhooks source and one hmac-sha256 source, posts N deliveries of a
1 MB body whose signature header holds 1 or 16 wrong entries (401 each: the worst case, every entry compared), and
reads the server's utime+stime from /proc/PID/stat around each batch. Before the fix each entry cost an HMAC over
the whole body (16 entries: 13x one); after it, one MAC per configured key whatever the number of entries.

    scripts/bench/signature-entries.py path/to/scanrelay [requests per batch, default 40]
"""
import base64, http.client, os, socket, subprocess, sys, tempfile, time

binary = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
work = tempfile.mkdtemp()
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
config = os.path.join(work, "scanrelay.yaml")
with open(config, "w") as f:
    f.write(f"""listen: 127.0.0.1:{port}
limits: {{ maxBodyBytes: 2MiB }}
sources:
  - {{ name: sw, provider: scanrelay, webhook: {{ verify: standard-webhooks, secret: "{secret}" }} }}
  - {{ name: hub, provider: scanrelay, webhook: {{ verify: hmac-sha256, secret: "hub-secret" }} }}
""")
server = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); break
        except OSError:
            time.sleep(0.1)
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds():
        fields = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    body = b'{"type": "scan.updated", "data": ' + b'"' + b"x" * 1_000_000 + b'"}'

    def batch(path, fields):
        """`fields`: (name, value) pairs; a name may repeat, as hmac-sha256 senders repeat their header."""
        connection = http.client.HTTPConnection("127.0.0.1", port)
        before = cpu_seconds()
        for i in range(count):
            connection.putrequest("POST", path)
            for name, value in fields + [("Content-Type", "application/json"), ("webhook-id", f"msg_{i}"),
                                         ("webhook-timestamp", str(int(time.time()))),
                                         ("Content-Length", str(len(body)))]:
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse(); response.read()
            assert response.status == 401, response.status
        connection.close()
        return (cpu_seconds() - before) / count * 1000

    wrong = ["v1," + base64.b64encode(bytes([i]) * 32).decode() for i in range(16)]
    hub = [("X-Hub-Signature-256", "sha256=" + format(i, "x") * 64) for i in range(16)]
    rows = []
    for label, path, one, sixteen in [
        ("standard-webhooks", "/v1/webhooks/sw", [("webhook-signature", wrong[0])],
         [("webhook-signature", " ".join(wrong))]),
        ("hmac-sha256", "/v1/webhooks/hub", hub[:1], hub),
    ]:
        batch(path, one)  # warm-up
        a, b = batch(path, one), batch(path, sixteen)
        rows.append((label, a, b))
    print(f"| scheme | CPU ms per 1 MB delivery, 1 entry | 16 entries | ratio |")
    print(f"|---|---|---|---|")
    for label, a, b in rows:
        print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.2f} |")
finally:
    server.terminate(); server.wait(10)
