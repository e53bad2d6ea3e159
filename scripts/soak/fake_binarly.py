"""A fake Binarly API v4 (Get Scan, List Scans, the image findings report) for the soak and upstream-fault scripts.

Scans are created on first sight: a scan completes after `polls_to_complete` successful answers for it, so the
server under test keeps polling until then. Faults (500, 429 with Retry-After: 1, a sleep past the client's request
timeout) are drawn per request with a seeded RNG. Every request is recorded per scan (time, outcome) so the caller
can check the poll policy: requests per watch, gaps after 429, upstream concurrency. The findings report that
ScanRelay asks for once a scan completes is answered without faults and counted apart (`reports`).
"""
import json
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GET_SCAN = re.compile(r"^/api/v4/products/([^/]+)/images/([^/]+)/scans/([^/?]+)$")
LIST_SCANS = re.compile(r"^/api/v4/products/([^/]+)/images/([^/]+)/scans$")
FINDINGS_REPORT = re.compile(r"^/api/v4/products/([^/]+)/images/([^/]+)/findingsReport:json$")


class FakeBinarly:
    def __init__(self, polls_to_complete=3, error_rate=0.0, throttle_rate=0.0, timeout_rate=0.0,
                 timeout_sleep=1.0, client_timeout=0.5, seed=1):
        self.polls_to_complete = polls_to_complete
        self.rates = (error_rate, throttle_rate, timeout_rate)
        self.timeout_sleep = timeout_sleep
        self.client_timeout = client_timeout
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.successes = {}          # scan id -> successful answers so far
        self.requests = {}           # scan id -> [(monotonic time, outcome)]
        self.outcomes = {}           # outcome -> count
        self.in_flight = 0
        self.max_in_flight = 0
        self.reports = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self)

            def do_POST(self):
                fake.report(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # ScanRelay closes a connection whose poll was cancelled (a watch deleted, a shutdown): expected
                # here, so not a traceback in the soak's output. Anything else still prints.
                if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _draw(self):
        error, throttle, timeout = self.rates
        roll = self.random.random()
        if roll < error:
            return "500"
        if roll < error + throttle:
            return "429"
        if roll < error + throttle + timeout:
            return "timeout"
        return "ok"

    def handle(self, request):
        path = request.path.split("?", 1)[0]
        single, listing = GET_SCAN.match(path), LIST_SCANS.match(path)
        if not single and not listing:
            return self._send(request, 404, {"error": "not found"})
        product, image = (single or listing).group(1), (single or listing).group(2)
        scan_id = single.group(3) if single else "latest-" + image
        with self.lock:
            outcome = self._draw()
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            self.requests.setdefault(scan_id, []).append((time.monotonic(), outcome))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if outcome == "ok":
                self.successes[scan_id] = self.successes.get(scan_id, 0) + 1
            done = self.successes.get(scan_id, 0) >= self.polls_to_complete
        try:
            if outcome == "timeout":
                # The client gives up after its request timeout: count it in flight only that long.
                time.sleep(self.client_timeout)
                self._leave()
                time.sleep(max(0.0, self.timeout_sleep - self.client_timeout))
                return self._send(request, 200, {}, counted=False)
            if outcome == "500":
                return self._send(request, 500, {"error": "injected"})
            if outcome == "429":
                return self._send(request, 429, {"error": "slow down"}, {"Retry-After": "1"})
            scan = {
                "id": scan_id,
                "parent": f"products/{product}/images/{image}",
                "createTime": "2026-11-23T10:00:00Z",
                "author": "soak@example.com",
                "latestScanState": {"type": "completed" if done else "in_progress",
                                    "updateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            }
            self._send(request, 200, scan if single else {"scans": [scan]})
        except (BrokenPipeError, ConnectionResetError):
            pass

    def report(self, request):
        request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if not FINDINGS_REPORT.match(request.path):
            return self._send(request, 404, {"error": "not found"}, counted=False)
        with self.lock:
            self.reports += 1
        counts = {"critical": 0, "high": 1, "medium": 2, "low": 3, "unspecified": 0, "total": 6}
        self._send(request, 200, {"findingsBySeverity": counts}, counted=False)

    def _leave(self):
        with self.lock:
            self.in_flight -= 1

    def _send(self, request, status, body, headers=None, counted=True):
        if counted:
            self._leave()
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
