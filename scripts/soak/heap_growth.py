"""What stays allocated, by allocation stack, after N seconds of watches: `scanrelay serve` run under heaptrack,
driven with watches on a fake Binarly, then killed with SIGKILL so that heaptrack's "leaked" is exactly what was live
at that moment. Two runs of different lengths, both past the cache's fill, compared stack by stack, show what grows
with the load and what only turns over (RESULTS.md, twelfth run).

  heap_growth.py run --binary BIN --seconds 360 --out /tmp/short [--polls 3] [--pattern soak|unique]
  heap_growth.py compare /tmp/short.zst /tmp/long.zst

`run` creates 40 watches a second: `unique`, each on a scan of its own; `soak`, the soak's pattern (half by scan id,
half by listing the image's scans, a third deleted about 200 ms after creation). Needs heaptrack (Debian's
`heaptrack` package) and the Python 3.11 standard library.
"""
import argparse
import collections
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from fake_binarly import FakeBinarly
from scanrelay_process import Client, ScanRelay
import soak

# Frames of our modules that name an allocation's owner; the first from the allocation upwards groups it.
OWNER = re.compile(r"\$s\d+(ScanCore|Polling|CurlClient|Providers|ScanRelayApp|AppState|HTTPServer|HTTPCore|Webhooks"
                   r"|Locking|ShardedTables|PostgresState)")


def run(arguments):
    upstream = FakeBinarly(polls_to_complete=arguments.polls).start()
    workdir = tempfile.mkdtemp(prefix="heap-growth-")
    wrapper = os.path.join(workdir, "under-heaptrack.sh")
    with open(wrapper, "w") as handle:
        handle.write(f'#!/bin/sh\nexec heaptrack -o "{arguments.out}" "{os.path.abspath(arguments.binary)}" "$@"\n')
    os.chmod(wrapper, 0o755)
    server = ScanRelay(wrapper, soak.config(upstream.port), workdir)
    server.wait_ready(60)
    client = Client(server.port)
    started, created, deleted = time.monotonic(), 0, 0
    recent = collections.deque()
    while time.monotonic() - started < arguments.seconds:
        created += 1
        ref = {"productId": "p", "imageId": f"w-{created}", "scanId": f"s-{created}"}
        if arguments.pattern == "soak" and created % 2:
            del ref["scanId"]
        code, body = client.request("POST", "/v1/watches", json.dumps({"source": "binarly", "ref": ref}).encode(),
                                    {"Content-Type": "application/json"})
        if code == 201:
            recent.append(body["id"])
        if len(recent) > 8:
            watch = recent.popleft()
            if arguments.pattern == "soak" and created % 3 == 0:
                client.request("DELETE", f"/v1/watches/{watch}")
                deleted += 1
        time.sleep(0.025)
    time.sleep(3)
    # The server itself, not heaptrack's shell around it.
    pid = int(subprocess.check_output(["pgrep", "-f", f"^{os.path.abspath(arguments.binary)} serve"]).split()[0])
    print(f"watches {created}, deleted {deleted}, upstream polls {sum(upstream.outcomes.values())}", flush=True)
    os.kill(pid, signal.SIGKILL)
    time.sleep(5)      # heaptrack's interpreter finishes the file
    upstream.stop()


def live_by_owner(path):
    folded = subprocess.run(["heaptrack_print", "-f", path, "--flamegraph-cost-type", "leaked", "-F", "/dev/stdout"],
                            capture_output=True, text=True, check=True).stdout
    owners = collections.Counter()
    for line in folded.splitlines():
        stack, _, value = line.rpartition(" ")
        if not value.isdigit():
            continue
        frames = [frame.split(" (")[0] for frame in stack.split(";")]
        owner = next((frame[:100] for frame in reversed(frames) if OWNER.search(frame)), "(outside our modules)")
        owners[owner] += int(value)
    return owners


def compare(arguments):
    short, long = live_by_owner(arguments.short), live_by_owner(arguments.long)
    print(f"live at the kill: {sum(short.values()) / 1e6:.2f} MB, then {sum(long.values()) / 1e6:.2f} MB")
    for owner in sorted(set(short) | set(long), key=lambda o: -abs(long[o] - short[o]))[:arguments.top]:
        print(f"{long[owner] - short[owner]:+10d} B  {short[owner]:>9d} -> {long[owner]:>9d}  {owner}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--binary", required=True)
    run_parser.add_argument("--seconds", type=int, required=True)
    run_parser.add_argument("--out", required=True, help="heaptrack's output file, without .zst")
    run_parser.add_argument("--polls", type=int, default=3, help="polls until the fake completes a scan")
    run_parser.add_argument("--pattern", choices=["soak", "unique"], default="soak")
    compare_parser = commands.add_parser("compare")
    compare_parser.add_argument("short")
    compare_parser.add_argument("long")
    compare_parser.add_argument("--top", type=int, default=15)
    arguments = parser.parse_args()
    run(arguments) if arguments.command == "run" else compare(arguments)


if __name__ == "__main__":
    sys.exit(main())
