"""How much RSS does the webhook dedupe ledger take per delivery? The soak's webhook stream adds one ledger key
per delivery (kept 72 h, at most 100,000), so RSS grows through a 30-minute soak until the ledger is full. This
sends N unique signed deliveries about only 100 scans (so the scan cache stays tiny) and reports RSS per delivery,
to compare with the soak's growth rate. Usage: ledger_rss.py --binary PATH [--deliveries N]
"""
import argparse
import json
import tempfile
import threading

from scanrelay_process import SECRET, Client, ScanRelay, signed_webhook_headers

CONFIG = f"""
logLevel: warning
sources:
  - name: relay
    provider: scanrelay
    webhook: {{ verify: standard-webhooks, secret: "{SECRET}" }}
"""


def send(port, numbers, failures):
    client = Client(port)
    for number in numbers:
        body = json.dumps({"type": "scan.updated", "data": {"upstreamId": f"u-{number % 100}",
                           "subject": {"imageId": "img"}, "status": "running"}}).encode()
        status, _ = client.request("POST", "/v1/webhooks/relay", body, signed_webhook_headers(f"d-{number}", body))
        if status != 202:
            failures.append(status)
    client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--deliveries", type=int, default=20000)
    args = parser.parse_args()
    server = ScanRelay(args.binary, CONFIG, tempfile.mkdtemp(prefix="scanrelay-ledger-"))
    try:
        server.wait_ready()
        failures, offset = [], 0
        send(server.port, range(1000), failures)          # warm-up: allocator arenas, the 100 scans
        offset = 1000
        readings = [server.rss_kib()]
        for _ in range(2):
            threads = [threading.Thread(target=send, args=(server.port, range(offset + t, offset + args.deliveries, 4),
                                                           failures)) for t in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            offset += args.deliveries
            readings.append(server.rss_kib())
        for index in range(1, len(readings)):
            delta = readings[index] - readings[index - 1]
            print(f"{args.deliveries} unique deliveries: RSS {readings[index - 1] / 1024:.1f} -> "
                  f"{readings[index] / 1024:.1f} MiB, {delta * 1024 / args.deliveries:.0f} B per delivery")
        print(f"non-202 answers: {len(failures)}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
