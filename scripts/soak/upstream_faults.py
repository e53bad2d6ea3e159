"""Upstream faults under load: 1,000 Binarly watches while the fake Binarly answers 10 % 500s, 5 % 429s
(Retry-After: 1) and 5 % timeouts (a 1 s sleep past the 500 ms poll.requestTimeout); a scan completes after K
successful polls. Runs until every watch is done or the time limit passes, then checks:

- no watch lost: all 1,000 listed by GET /v1/watches, all `done`;
- every scan cached: GET /v1/scans/binarly:<id> is 200 and `completed`;
- no retry storm: requests per watch within the bound the fault rates and K allow (failures before the K-th
  success are negative-binomial; the bound is the count that 1,000 watches exceed with probability < 0.1 %),
  every gap between two polls of one watch respects the policy (>= interval.min after a success, >= backoff.base/2
  after an error, >= Retry-After after a 429), and upstream concurrency never exceeds concurrencyPerSource.
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

from fake_binarly import FakeBinarly
from scanrelay_process import Client, ScanRelay, binarly_source

K = 3                       # default successful polls before a scan completes
FAILURE = 0.20              # 10 % 500 + 5 % 429 + 5 % timeout
CONCURRENCY = 8
INTERVAL_MIN, BACKOFF_BASE, RETRY_AFTER = 0.2, 0.1, 1.0
SLACK = 0.005               # clock granularity between the fake's arrival stamps


def config(upstream_port):
    return f"""
logLevel: warning
poll:
  unknownSize: {{ min: 100ms, max: 200ms }}
  expectedDuration:
    - {{ min: 100ms, max: 200ms }}
  interval: {{ min: 200ms, max: 1s }}
  backoff: {{ base: 100ms, max: 2s }}
  maxWatchAge: 1h
  concurrencyPerSource: {CONCURRENCY}
  requestTimeout: 500ms
  maxWatches: 10000
sources:
""" + binarly_source(upstream_port)


def requests_bound(watches, k):
    """Smallest n with P(some watch needs more than n requests) < 0.1 %, failures ~ NegBin(K, 1 - FAILURE)."""
    failures, tail = 0, 1.0
    while True:
        tail -= math.comb(failures + k - 1, failures) * (1 - FAILURE) ** k * FAILURE ** failures
        if watches * tail < 0.001:
            return k + failures
        failures += 1


def list_watches(client):
    watches, token = [], None
    while True:
        path = "/v1/watches?limit=1000" + (f"&pageToken={token}" if token else "")
        status, body = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET /v1/watches answered {status}")
        watches += body["watches"]
        token = body.get("nextPageToken")
        if not token:
            return watches


def gap_violations(records):
    """Polls of one watch closer together than the policy allows after the previous poll's outcome."""
    violations = []
    for (before, outcome), (after, _) in zip(records, records[1:]):
        least = {"ok": INTERVAL_MIN, "429": RETRY_AFTER}.get(outcome, BACKOFF_BASE / 2)
        if after - before < least - SLACK:
            violations.append((outcome, round(after - before, 3)))
    return violations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--watches", type=int, default=1000)
    parser.add_argument("--polls-to-complete", type=int, default=K, help="K: successful polls before a scan completes")
    parser.add_argument("--limit", type=float, default=300, help="seconds to wait for every watch to be done")
    args = parser.parse_args()

    k = args.polls_to_complete
    upstream = FakeBinarly(polls_to_complete=k, error_rate=0.10, throttle_rate=0.05, timeout_rate=0.05,
                           timeout_sleep=1.0, client_timeout=0.5, seed=42).start()
    workdir = tempfile.mkdtemp(prefix="scanrelay-faults-")
    server = ScanRelay(args.binary, config(upstream.port), workdir)
    failures = []
    try:
        server.wait_ready()
        client = Client(server.port)
        started = time.monotonic()
        for number in range(args.watches):
            body = json.dumps({"source": "binarly", "ref": {"productId": "p", "imageId": f"img-{number}",
                                                            "scanId": f"s-{number}"}}).encode()
            status, _ = client.request("POST", "/v1/watches", body, {"Content-Type": "application/json"})
            if status != 201:
                failures.append(f"POST /v1/watches {number} answered {status}")
        created = time.monotonic() - started
        while time.monotonic() - started < args.limit:
            watches = list_watches(client)
            states = {}
            for watch in watches:
                states[watch["state"]] = states.get(watch["state"], 0) + 1
            print(f"t={time.monotonic() - started:6.1f}s  watches={len(watches)}  {states}  "
                  f"upstream={sum(upstream.outcomes.values())}  load={os.getloadavg()[0]:.1f}", flush=True)
            if states.get("done", 0) == args.watches:
                break
            time.sleep(2)
        elapsed = time.monotonic() - started
        if len(watches) != args.watches:
            failures.append(f"{len(watches)} watches listed, {args.watches} created")
        not_done = [watch["id"] for watch in watches if watch["state"] != "done"]
        if not_done:
            failures.append(f"{len(not_done)} watches not done, e.g. {not_done[:3]}")
        uncached = []
        for number in range(args.watches):
            status, scan = client.request("GET", f"/v1/scans/binarly:s-{number}")
            if status != 200 or scan.get("status") != "completed":
                uncached.append((number, status))
        if uncached:
            failures.append(f"{len(uncached)} scans not cached as completed, e.g. {uncached[:3]}")
    finally:
        server.stop()
        upstream.stop()

    counts = [len(upstream.requests.get(f"s-{number}", [])) for number in range(args.watches)]
    bound = requests_bound(args.watches, k)
    expected = k / (1 - FAILURE)
    violations = [v for records in upstream.requests.values() for v in gap_violations(records)]
    total = sum(counts)
    print(f"\nwatches {args.watches} created in {created:.1f} s; all done after {elapsed:.1f} s")
    print(f"upstream requests {total} ({total / elapsed:.0f}/s); outcomes {dict(sorted(upstream.outcomes.items()))}")
    print(f"requests per watch: mean {total / args.watches:.2f} (expected K/(1-p) = {expected:.2f}), "
          f"max {max(counts)} (bound {bound}), min {min(counts)}")
    print(f"max upstream requests in flight {upstream.max_in_flight} (concurrencyPerSource {CONCURRENCY})")
    print(f"poll gaps shorter than the policy allows: {len(violations)} {violations[:5]}")
    print(f"load average {os.getloadavg()}; server log {server.log_path}")
    if max(counts) > bound:
        failures.append(f"a watch made {max(counts)} requests, bound {bound}")
    if min(counts) < k:
        failures.append(f"a watch completed with {min(counts)} requests, fewer than K={k}")
    if upstream.max_in_flight > CONCURRENCY:
        failures.append(f"{upstream.max_in_flight} upstream requests in flight, limit {CONCURRENCY}")
    if violations:
        failures.append(f"{len(violations)} polls came sooner than the policy allows")
    for failure in failures:
        print("FAIL:", failure)
    print("PASS" if not failures else "FAIL")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
