"""Soak: `scanrelay serve` under bounded mixed load for N minutes, RSS sampled, PASS if flat after warm-up.

Load (per second, each stream paced on its own thread so the total stays near ~200 req/s rather than saturating
the CPU): signed webhooks creating and then completing scans on a `scanrelay` source (with some duplicates),
GET /v1/scans lists, GET /v1/scans/{id} (some with ?wait=1s), watches created on a fake Binarly (completing after
three polls) and some deleted, GET /v1/watches, and SSE subscribers that connect, read a while, disconnect.

Memory is bounded by configuration (cache.maxScans, cache.eventRing, cache.dedupeKeys, and poll.maxWatches: ended
watches stay listed until a new watch needs their room), each sized so that it is full within the warm-up (the
dedupe ledger: 10,000 keys at ~60 deliveries/s is about three minutes; 2,000 watches at ~10/s about three and a
half), so after warm-up RSS should plateau. Usage: soak.py --binary PATH --minutes N [--csv FILE]
"""
import argparse
import csv
import json
import random
import socket
import sys
import tempfile
import threading
import time

from fake_binarly import FakeBinarly
from scanrelay_process import SECRET, Client, ScanRelay, binarly_source, signed_webhook_headers

MARGIN = 0.10   # allowed RSS growth from the warm-up baseline to the end (see RESULTS.md for why)


def config(upstream_port):
    return f"""
logLevel: warning
# Time is compressed like the load: watches expire after a minute rather than a day, and an in-progress scan left
# behind by a deleted watch counts as abandoned (evictable from a full cache) after two minutes rather than a day.
cache: {{ maxScans: 5000, staleAfter: 2m, eventRing: 1000, ssePingInterval: 1s, maxLongPollWaiters: 1000,
         dedupeKeys: 10000 }}
poll:
  unknownSize: {{ min: 100ms, max: 200ms }}
  expectedDuration:
    - {{ min: 100ms, max: 200ms }}
  interval: {{ min: 200ms, max: 1s }}
  backoff: {{ base: 100ms, max: 2s }}
  maxWatchAge: 1m
  concurrencyPerSource: 8
  requestTimeout: 2s
  maxWatches: 2000
sources:
  - name: relay
    provider: scanrelay
    webhook: {{ verify: standard-webhooks, secret: "{SECRET}" }}
""" + binarly_source(upstream_port)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_kind = {}        # kind -> {status or error name: count}
        self.errors = 0          # 5xx and connection errors
        self.total = 0

    def record(self, kind, outcome):
        with self.lock:
            counts = self.by_kind.setdefault(kind, {})
            counts[outcome] = counts.get(outcome, 0) + 1
            self.total += 1
            if not isinstance(outcome, int) or outcome >= 500:
                self.errors += 1


class Load:
    def __init__(self, port, stats, stop):
        self.port, self.stats, self.stop = port, stats, stop
        self.lock = threading.Lock()
        self.next_scan = 0
        self.running_scans = []      # relay upstream ids sent as running, to complete later
        self.known_scans = []        # scan ids to query (bounded window)
        self.watches = []            # watch ids that may be deleted
        self.random = random.Random(7)

    def paced(self, kind, rate, action):
        """Calls `action(client)` `rate` times a second until stopped; a stream that falls behind does not burst."""
        client = Client(self.port)
        period, next_at = 1.0 / rate, time.monotonic()
        while not self.stop.is_set():
            try:
                outcome = action(client)
            except (OSError, Exception) as error:  # any failure to get an answer is a counted error
                outcome = type(error).__name__
            if outcome is not None:
                self.stats.record(kind, outcome)
            next_at = max(next_at + period, time.monotonic() - 1.0)
            self.stop.wait(max(0.0, next_at - time.monotonic()))
        client.close()

    def webhook(self, client):
        with self.lock:
            complete = bool(self.running_scans) and self.random.random() < 0.5
            if complete:
                number = self.running_scans.pop(0)
            else:
                number = self.next_scan
                self.next_scan += 1
                self.running_scans.append(number)
            duplicate = self.random.random() < 0.1
        status = "completed" if complete else "running"
        event = {"type": "scan.completed" if complete else "scan.updated",
                 "data": {"upstreamId": f"u-{number}", "subject": {"imageId": f"img-{number % 500}"},
                          "status": status}}
        body = json.dumps(event).encode()
        headers = signed_webhook_headers(f"d-{number}-{status}", body)
        code, _ = client.request("POST", "/v1/webhooks/relay", body, headers)
        if duplicate:
            code_again, _ = client.request("POST", "/v1/webhooks/relay", body, headers)
            self.stats.record("webhook-duplicate", code_again)
        with self.lock:
            self.known_scans.append(f"relay:u-{number}")
            del self.known_scans[:-2000]
        return code

    def scan_id(self):
        with self.lock:
            return self.random.choice(self.known_scans) if self.known_scans else "relay:none"

    def get_scan(self, client):
        return client.request("GET", "/v1/scans/" + self.scan_id())[0]

    def get_scan_wait(self, client):
        return client.request("GET", "/v1/scans/" + self.scan_id() + "?wait=1s")[0]

    def list_scans(self, client):
        query = self.random.choice(["?limit=100", "?status=completed&limit=50", "?source=binarly", "?imageId=img-7"])
        return client.request("GET", "/v1/scans" + query)[0]

    def create_watch(self, client):
        with self.lock:
            number = self.next_scan
            self.next_scan += 1
        ref = {"productId": "p", "imageId": f"w-{number}"}
        if number % 2 == 0:
            ref["scanId"] = f"s-{number}"        # Get Scan; the others use List Scans for the image's newest
        code, body = client.request("POST", "/v1/watches", json.dumps({"source": "binarly", "ref": ref}).encode(),
                                    {"Content-Type": "application/json"})
        if code == 201 and number % 3 == 0:
            with self.lock:
                self.watches.append(body["id"])
        return code

    def delete_or_list_watches(self, client):
        with self.lock:
            watch = self.watches.pop(0) if self.watches else None
        if watch is None:
            return client.request("GET", "/v1/watches?limit=50")[0]
        code, _ = client.request("DELETE", "/v1/watches/" + watch)
        return code if code != 404 else 200     # an ended watch may have aged out already: not an error

    def sse_subscriber(self):
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: soak\r\nAccept: text/event-stream\r\n\r\n")
                    first = sock.recv(4096)
                    status = int(first.split(b" ", 2)[1]) if first.startswith(b"HTTP/1.1 ") else "BadStatusLine"
                    self.stats.record("sse", status)
                    until = time.monotonic() + self.random.uniform(2, 15)
                    while time.monotonic() < until and not self.stop.is_set() and sock.recv(65536):
                        pass
            except OSError as error:
                self.stats.record("sse", type(error).__name__)
            self.stop.wait(self.random.uniform(0.1, 1.0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--csv", default="soak-rss.csv")
    parser.add_argument("--without", action="append", default=[],
                        help="drop a load stream (webhook, get-scan, get-scan-wait, list-scans, create-watch, "
                             "watch-delete-or-list, sse) to see which one memory growth follows")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every request rate")
    args = parser.parse_args()

    upstream = FakeBinarly(polls_to_complete=3).start()
    workdir = tempfile.mkdtemp(prefix="scanrelay-soak-")
    server = ScanRelay(args.binary, config(upstream.port), workdir)
    stop, stats = threading.Event(), Stats()
    threads = []
    try:
        server.wait_ready()
        load = Load(server.port, stats, stop)
        streams = [("webhook", 60, load.webhook), ("get-scan", 30, load.get_scan), ("get-scan", 30, load.get_scan),
                   ("get-scan-wait", 5, load.get_scan_wait), ("get-scan-wait", 5, load.get_scan_wait),
                   ("list-scans", 20, load.list_scans), ("create-watch", 10, load.create_watch),
                   ("watch-delete-or-list", 5, load.delete_or_list_watches)]
        threads = [threading.Thread(target=load.paced, args=(kind, rate * args.scale, action), daemon=True)
                   for kind, rate, action in streams if kind not in args.without]
        if "sse" not in args.without:
            threads += [threading.Thread(target=load.sse_subscriber, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        samples = sample(server, upstream, stats, args.minutes * 60, args.csv)
    finally:
        stop.set()
        for thread in threads:
            thread.join(20)
        server.stop()
        upstream.stop()
    return report(samples, stats, args.minutes, workdir, upstream)


COLUMNS = ["elapsed_s", "rss_kib", "anon_kib", "file_kib", "requests", "errors", "upstream_polls",
           "cached_scans", "watches_active", "watches_ended"]


def sample(server, upstream, stats, duration, csv_path):
    """RSS (with its anonymous and file-backed parts) and the service's own gauges every 10 s for the first 2 minutes,
    then every minute, and once at the end: the counts beside the bytes say whether growth follows held state."""
    start, samples = time.monotonic(), []
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        at = 0.0
        while True:
            time.sleep(max(0.0, start + at - time.monotonic()))
            if not server.alive():
                raise RuntimeError("scanrelay died during the soak")
            memory, series = server.memory_kib(), server.metric_series()
            watches = {key.split('state="', 1)[1].split('"', 1)[0]: value
                       for key, value in series.items() if key.startswith("scanrelay_watches{")}
            row = dict(elapsed_s=round(time.monotonic() - start), rss_kib=memory["VmRSS"],
                       anon_kib=memory["RssAnon"], file_kib=memory["RssFile"], requests=stats.total,
                       errors=stats.errors, upstream_polls=sum(upstream.outcomes.values()),
                       cached_scans=int(series.get("scanrelay_cached_scans", 0)),
                       watches_active=int(watches.get("waiting", 0) + watches.get("polling", 0)),
                       watches_ended=int(sum(watches.values()) - watches.get("waiting", 0) - watches.get("polling", 0)))
            samples.append(row)
            writer.writerow([row[column] for column in COLUMNS])
            handle.flush()
            print(f"t={row['elapsed_s']:>5}s  rss={row['rss_kib'] / 1024:8.1f} MiB  anon={row['anon_kib'] / 1024:7.1f}"
                  f"  requests={row['requests']:>8}  polls={row['upstream_polls']:>7}  scans={row['cached_scans']:>6}"
                  f"  watches={row['watches_active']}+{row['watches_ended']}  errors={row['errors']}", flush=True)
            if at >= duration:
                return samples
            at = min(duration, at + (10 if at < 120 else 60))


def report(samples, stats, minutes, workdir, upstream):
    warmup = 300 if minutes * 60 >= 600 else minutes * 60 / 3
    after = [row for row in samples if row["elapsed_s"] >= warmup]
    baseline, final = after[0]["rss_kib"], after[-1]["rss_kib"]
    peak = max(row["rss_kib"] for row in after)
    growth = (final - baseline) / baseline
    elapsed = samples[-1]["elapsed_s"]
    print("\n| minute | RSS MiB | anonymous MiB | requests | upstream polls | cached scans | watches (active + ended) "
          "| errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in samples:
        if row["elapsed_s"] % 60 == 0 or row is samples[-1]:
            print(f"| {row['elapsed_s'] / 60:.0f} | {row['rss_kib'] / 1024:.1f} | {row['anon_kib'] / 1024:.1f} "
                  f"| {row['requests']} | {row['upstream_polls']} | {row['cached_scans']} "
                  f"| {row['watches_active']} + {row['watches_ended']} | {row['errors']} |")
    print(f"\nrequests {stats.total} in {elapsed} s ({stats.total / max(elapsed, 1):.0f}/s), errors {stats.errors}")
    for kind, counts in sorted(stats.by_kind.items()):
        print(f"  {kind:22} {counts}")
    print(f"upstream polls {sum(upstream.outcomes.values())}")
    print(f"RSS baseline at t={after[0]['elapsed_s']} s {baseline / 1024:.1f} MiB, end {final / 1024:.1f} MiB, "
          f"peak after warm-up {peak / 1024:.1f} MiB, growth {growth * 100:+.1f} % (margin {MARGIN * 100:.0f} %)")
    print(f"server log: {workdir}/scanrelay.log")
    passed = growth < MARGIN and stats.errors == 0
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
