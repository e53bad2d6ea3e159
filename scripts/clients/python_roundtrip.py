#!/usr/bin/env python3
"""Drives a live ScanRelay server through the client openapi-python-client generated from openapi.yaml.

usage: python_roundtrip.py CLIENT_DIR BASE_URL SERVER_PID
CLIENT_DIR holds the generated package `scanrelay_client`. The server was seeded by scripts/generated-clients.sh
(see SEEDED there). The event stream never ends on its own and the generated client reads whole bodies, so the
last step holds a `streamEvents` request open, sends the server SIGTERM once /metrics counts the subscriber, and
reads what the graceful shutdown let through. Prints "ok ..." lines; exits 1 at the first failure.
"""
import datetime
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])

from scanrelay_client import Client  # noqa: E402
from scanrelay_client.api.events import stream_events  # noqa: E402
from scanrelay_client.api.operations import get_metrics  # noqa: E402
from scanrelay_client.api.scans import get_scan, list_image_scans, list_scans  # noqa: E402
from scanrelay_client.api.watches import cancel_watch, create_watch, list_watches  # noqa: E402
from scanrelay_client.models import ScanRef, ScanStatus, WatchRequest, WatchState  # noqa: E402
from scanrelay_client.types import UNSET  # noqa: E402


def check(condition, what):
    if not condition:
        print(f"FAIL python client: {what}")
        sys.exit(1)
    print(f"ok python client: {what}")


def main(base_url, server_pid):
    client = Client(base_url=base_url, timeout=30.0, raise_on_unexpected_status=True)

    listed = list_scans.sync_detailed(client=client)
    check(listed.status_code == 200 and len(listed.parsed.scans) == 3, "listScans decodes 3 scans")
    check(all(s.updated_at.tzinfo is not None and s.updated_at.microsecond == 0 for s in listed.parsed.scans),
          "every updatedAt is a whole-second UTC time")
    since = listed.parsed.scans[0].updated_at
    again = list_scans.sync_detailed(client=client, updated_since=since)
    check(any(s.id == listed.parsed.scans[0].id for s in again.parsed.scans),
          "updatedSince with an updatedAt handed back still finds that scan")

    done = get_scan.sync_detailed("relay:with-findings", client=client)
    check(done.status_code == 200 and done.parsed.status == ScanStatus.COMPLETED
          and done.parsed.findings is not None and done.parsed.findings.total == 3, "getScan with findings")
    running = get_scan.sync_detailed("relay:no-findings", client=client)
    check(running.status_code == 200 and running.parsed.findings is None, "getScan without findings (null)")

    etag = done.headers["etag"]
    check(done.headers.get("cache-control") == "no-cache", "a scan with an ETag is Cache-Control: no-cache")
    revalidated = get_scan.sync_detailed("relay:with-findings", client=client, if_none_match=etag)
    check(revalidated.status_code == 304 and revalidated.headers["etag"] == etag, "304 for If-None-Match")

    image = list_image_scans.sync_detailed("image-a", client=client)
    check(image.status_code == 200 and {s.id for s in image.parsed.scans} == {"relay:with-findings", "relay:no-findings"},
          "listImageScans")

    request = WatchRequest(source="binarly", ref=ScanRef(product_id="p1", image_id="i1"), image_size_bytes=1 << 30,
                           scan_started_at=datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc))
    created = create_watch.sync_detailed(client=client, body=request)
    check(created.status_code == 201 and created.parsed.state == WatchState.WAITING, "createWatch")
    watches = list_watches.sync_detailed(client=client)
    check(any(w.id == created.parsed.id for w in watches.parsed.watches), "listWatches has it")
    cancelled = cancel_watch.sync_detailed(created.parsed.id, client=client)
    check(cancelled.status_code == 200 and cancelled.parsed.state == WatchState.CANCELLED, "cancelWatch")

    result = {}
    reader = threading.Thread(target=lambda: result.update(
        response=stream_events.sync_detailed(client=client, last_event_id="0")))
    reader.start()
    for _ in range(200):
        metrics = get_metrics.sync_detailed(client=client).content.decode()
        subscribers = re.search(r"^scanrelay_sse_subscribers(?:\{\})? (\S+)$", metrics, re.M)
        if subscribers and float(subscribers.group(1)) >= 1:
            break
        time.sleep(0.05)
    else:
        check(False, "the event stream's subscriber never showed in /metrics")
    os.kill(server_pid, signal.SIGTERM)
    reader.join(timeout=30)
    events = result.get("response")
    check(events is not None and events.status_code == 200, "streamEvents answered 200")
    text = events.content.decode()
    check("event: scan.completed" in text and "event: scan.updated" in text, "streamEvents replays the events")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(sys.argv[2], int(sys.argv[3]))
