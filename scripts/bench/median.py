"""Median of several compare.sh tables: scripts/bench/median.py RUN1.txt RUN2.txt RUN3.txt

Each row (endpoint, protocol, connections, pinning, server) takes the median of its requests/s, p50 and p99 across
the runs, the largest error count and peak RSS; the ratio column is recomputed from the medians, as compare.sh
computes it from one run: ScanRelay over Hummingbird on the same row key, ScanRelay over nginx on an nginx row, and
on a ScanRelay h2c row its rate over its own HTTP/1.1 rate at 32 connections with the same pinning. ScanRelay over
Go (issue 21) is the median of the ratios measured within each run, as that issue states its targets.
"""
import statistics
import sys

COLUMNS = ("endpoint", "proto", "conns", "pinned", "server", "rps", "p50", "p99", "errors", "rss")


def rows(path):
    with open(path) as table:
        for line in table:
            # A data row: "GET /healthz  h1  32 yes  scanrelay  56274  0.272  4.320  0  52.9  2.01x HB"
            parts = line.split()
            if len(parts) < 11 or parts[0] not in ("GET", "POST") or parts[2] not in ("h1", "h2c"):
                continue
            endpoint = f"{parts[0]} {parts[1]}"
            yield dict(zip(COLUMNS, [endpoint] + parts[2:11]))


def main(paths):
    runs = [list(rows(path)) for path in paths]
    if not runs or not all(runs):
        sys.exit("median.py: every file must hold a compare.sh table")
    order, samples = [], {}
    for run in runs:
        for row in run:
            key = tuple(row[c] for c in COLUMNS[:5])
            if key not in samples:
                order.append(key)
                samples[key] = []
            samples[key].append(row)
    # ScanRelay's rate over Go's within each run, by ScanRelay's row key.
    go_ratios = {}
    for run in runs:
        by_key = {tuple(r[c] for c in COLUMNS[:5]): float(r["rps"]) for r in run}
        for key, rps in by_key.items():
            go = by_key.get(key[:4] + ("go",))
            if key[4] == "scanrelay" and go:
                go_ratios.setdefault(key, []).append(rps / go)
    median = {}
    for key, found in samples.items():
        median[key] = {
            "rps": statistics.median(float(r["rps"]) for r in found),
            "p50": statistics.median(float(r["p50"]) for r in found),
            "p99": statistics.median(float(r["p99"]) for r in found),
            "errors": max(int(r["errors"]) for r in found),
            "rss": max(float(r["rss"]) for r in found),
            "runs": len(found),
        }
    print(f"median of {len(runs)} runs: " + ", ".join(paths))
    print(f"{'endpoint':22} {'proto':5} {'conns':>5} {'pinned':6} {'server':11} {'requests/s':>11} {'p50 ms':>9} "
          f"{'p99 ms':>9} {'errors':>7} {'RSS MiB':>9} ratio")
    for key in order:
        endpoint, proto, conns, pinned, server = key
        m = median[key]
        ratio = "-"
        if server == "scanrelay" and (hb := median.get((endpoint, proto, conns, pinned, "hummingbird"))):
            ratio = f"{m['rps'] / hb['rps']:.2f}x HB"
            if key in go_ratios:
                ratio += f", {statistics.median(go_ratios[key]):.2f}x Go"
        elif server == "nginx" and (sr := median.get((endpoint, proto, conns, pinned, "scanrelay"))):
            ratio = f"SR {sr['rps'] / m['rps']:.2f}x"
        elif server == "scanrelay" and proto == "h2c" and (h1 := median.get((endpoint, "h1", "32", pinned, "scanrelay"))):
            ratio = f"{m['rps'] / h1['rps']:.2f}x own h1"
        note = "" if m["runs"] == len(runs) else f"  (in {m['runs']} of {len(runs)} runs)"
        print(f"{endpoint:22} {proto:5} {conns:>5} {pinned:6} {server:11} {m['rps']:11.0f} {m['p50']:9.3f} "
              f"{m['p99']:9.3f} {m['errors']:7d} {m['rss']:9.1f} {ratio}{note}")


if __name__ == "__main__":
    main(sys.argv[1:])
