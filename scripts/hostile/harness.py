"""Shared parts of the hostile-client suite: raw HTTP/1.1 exchanges, the normal client, RSS sampling.

Everything here talks to the server over plain sockets on purpose: the attacks send bytes no HTTP library would
send, and the answers are read byte for byte so that what the server really wrote is what gets asserted.
"""

import multiprocessing
import queue
import select
import socket
import time
from dataclasses import dataclass, field


class AttackFailed(Exception):
    """An attack's assertion did not hold; the message says what was expected and what happened."""


def check(condition, message):
    if not condition:
        raise AttackFailed(message)


@dataclass
class Response:
    status: int
    headers: dict  # lower-cased names; the last value wins (enough for the fields asserted here)
    body: bytes

    def closes(self):
        return "close" in self.headers.get("connection", "").lower()


class Target:
    """Where the server listens and which process it is."""

    def __init__(self, host, port, pid):
        self.host, self.port, self.pid = host, port, pid

    def connect(self, timeout=5.0):
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def alive(self):
        try:
            with open(f"/proc/{self.pid}/status") as status:
                return "State:\tZ" not in status.read()
        except FileNotFoundError:
            return False

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AttackFailed("no VmRSS in /proc status")


class Reader:
    """Reads HTTP/1.1 responses from one socket, keeping what arrived beyond the current response."""

    def __init__(self, sock, deadline_seconds=5.0):
        self.sock, self.buffer, self.deadline_seconds = sock, b"", deadline_seconds

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AttackFailed("no complete response before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise AttackFailed("no complete response before the deadline") from None
        if not chunk:
            raise AttackFailed(f"connection closed mid-response (had {len(self.buffer)} bytes)")
        self.buffer += chunk

    def response(self):
        deadline = time.monotonic() + self.deadline_seconds
        while b"\r\n\r\n" not in self.buffer:
            self._fill(deadline)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", ""):
            body = self._chunked(deadline)
        else:
            length = int(headers.get("content-length", "0"))
            while len(self.buffer) < length:
                self._fill(deadline)
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Response(status, headers, body)

    def _chunked(self, deadline):
        body = b""
        while True:
            while b"\r\n" not in self.buffer:
                self._fill(deadline)
            size_line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._fill(deadline)
            body += self.buffer[:size]
            self.buffer = self.buffer[size + 2:]
            if size == 0:
                return body

    def closed_within(self, seconds):
        """True when the peer closes (EOF or reset) within `seconds`, discarding anything else it sends."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                return False
            except OSError:
                return True
        return False


def exchange(target, request_bytes, deadline_seconds=5.0, close_wait=2.0):
    """Sends raw bytes on a fresh connection; returns the first response and whether the server then closed
    within `close_wait` seconds (None when not asked)."""
    with target.connect() as sock:
        try:
            sock.sendall(request_bytes)
        except OSError:
            pass  # the server may answer and close before taking everything; the answer is still readable
        reader = Reader(sock, deadline_seconds)
        response = reader.response()
        return response, (reader.closed_within(close_wait) if close_wait else None)


def readable(sock, seconds=0.0):
    return bool(select.select([sock], [], [], seconds)[0])


@dataclass
class Window:
    """What the normal client saw while one attack ran."""

    latencies_ms: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    rss_peak_kib: int = 0

    def p99(self):
        if not self.latencies_ms:
            return float("inf")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class NormalClient:
    """A well-behaved client: GET /healthz on a fresh connection every 10 ms, for the whole run.

    Fresh connections on purpose: they go through accept and the connection limit, like a new user would. It runs
    in its own process, so that the attacks' Python work (and the GIL) does not show up as server latency; it also
    samples the server's RSS, so each window knows its peak.
    """

    def __init__(self, target):
        self.target = target
        self.samples = multiprocessing.Queue()
        self.stopping = multiprocessing.Event()
        self.process = multiprocessing.Process(target=self._run, daemon=True)
        self.window_start = 0.0

    def start(self):
        self.process.start()

    def stop(self):
        self.stopping.set()
        self.process.join(5)

    def begin(self):
        self.window_start = time.monotonic()

    def end(self, minimum_answers=100, seconds=8.0):
        """Closes the window once the normal client has had `minimum_answers` tries in it, or after `seconds`: a
        fast attack still gets a sample where p99 is not simply the single slowest answer."""
        deadline = time.monotonic() + seconds
        in_window = []
        while len(in_window) < minimum_answers and time.monotonic() < deadline:
            try:
                sample = self.samples.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if sample[0] >= self.window_start:
                in_window.append(sample)
        while True:  # whatever else already arrived belongs to this window too
            try:
                sample = self.samples.get_nowait()
            except queue.Empty:
                break
            if sample[0] >= self.window_start:
                in_window.append(sample)
        window = Window(rss_peak_kib=self.target.rss_kib())
        for _, latency, failure, rss in in_window:
            if failure is None:
                window.latencies_ms.append(latency)
            else:
                window.failures.append(failure)
            window.rss_peak_kib = max(window.rss_peak_kib, rss)
        return window

    def _run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            failure = None
            try:
                response, _ = exchange(self.target, b"GET /healthz HTTP/1.1\r\nHost: normal\r\nConnection: close\r\n\r\n", 2.0, None)
                if response.status != 200:
                    failure = f"status {response.status}"
            except (OSError, AttackFailed) as error:
                failure = type(error).__name__ + ": " + str(error)
            latency = (time.monotonic() - started) * 1000
            try:
                rss = self.target.rss_kib()
            except (OSError, AttackFailed):
                rss = 0
            self.samples.put((started, latency, failure, rss))
            time.sleep(0.01)


def settle_rss(target, baseline_kib, limit_kib, seconds=8.0):
    """Waits for RSS to come back within `limit_kib` of the baseline; returns the last value seen."""
    deadline = time.monotonic() + seconds
    rss = target.rss_kib()
    while rss > baseline_kib + limit_kib and time.monotonic() < deadline:
        time.sleep(0.25)
        rss = target.rss_kib()
    return rss


def request(method, path, headers=(), body=b"", host=b"hostile"):
    """Raw request bytes; `path` and header values are bytes so that invalid ones can be sent as is."""
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: " + host] + list(headers)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body

