"""Starting and stopping `scanrelay serve` for the soak scripts, plus the small clients they share: a signed
standard-webhooks sender, a keep-alive JSON client and the RSS probe."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import time

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScanRelay:
    """One `scanrelay serve` process on a free loopback port, stopped by its pid (TERM, then KILL)."""

    def __init__(self, binary, config_text, workdir):
        self.port = free_port()
        config = os.path.join(workdir, "scanrelay.yaml")
        with open(config, "w") as handle:
            handle.write(config_text)
        self.log_path = os.path.join(workdir, "scanrelay.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--config", config, "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scanrelay exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _ = Client(self.port).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("scanrelay did not answer /healthz in time")

    def rss_kib(self):
        return self.memory_kib()["VmRSS"]

    def memory_kib(self):
        """VmRSS and its parts (RssAnon: the heap and stacks; RssFile: the binary's and libraries' pages)."""
        fields = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                name = line.split(":", 1)[0]
                if name in fields:
                    fields[name] = int(line.split()[1])
        return fields

    def metric_series(self):
        """Every sample in /metrics as {"name{labels}": value}."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/metrics")
            text = connection.getresponse().read().decode()
        finally:
            connection.close()
        series = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                series[name] = float(value)
        return series

    def alive(self):
        return self.process.poll() is None

    def stop(self, grace=15):
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


class Client:
    """A keep-alive HTTP/1.1 client that reconnects after any connection error (and re-raises it)."""

    def __init__(self, port, timeout=10):
        self.port, self.timeout, self.connection = port, timeout, None

    def request(self, method, path, body=None, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def signed_webhook_headers(delivery_id, body, secret=SECRET):
    """Standard Webhooks: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> keyed by the base64 part of whsec_."""
    timestamp = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"Content-Type": "application/json", "webhook-id": delivery_id, "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def binarly_source(upstream_port):
    return f"""
  - name: binarly
    provider: binarly
    upstream: {{ baseURL: "http://127.0.0.1:{upstream_port}", auth: {{ bearer: "soak-token" }} }}
    webhook: {{ verify: standard-webhooks, secret: "{SECRET}" }}
"""
