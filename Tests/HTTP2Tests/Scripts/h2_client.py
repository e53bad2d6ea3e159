#!/usr/bin/env python3
"""Drives a ScanRelay server with the `h2` library (prior knowledge, plaintext) for HTTP2Tests.

usage: h2_client.py PORT SCENARIO   (concurrent | batches | large | upload | reset | goaway | stall)
Prints one line "ok ..." and exits 0 when the server behaved; prints the reason and exits 1 otherwise.
"""
import socket
import sys

import h2.config
import h2.connection
import h2.errors
import h2.events

TIMEOUT = 20


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.flush()
        self.responses = {}  # stream id -> {"status", "headers", "body", "ended", "reset"}
        self.goaways = []
        self.pending = b""
        self.after_goaway = []  # whole frames received after a GOAWAY, which h2 would refuse

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="GET", end_stream=True, headers=()):
        stream_id = self.conn.get_next_available_stream_id()
        fields = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1"), *headers]
        self.conn.send_headers(stream_id, fields, end_stream=end_stream)
        self.responses[stream_id] = {"status": None, "headers": {}, "body": bytearray(), "ended": False, "reset": None}
        self.flush()
        return stream_id

    def read_frames(self):
        """Receives once and returns whole frames (h2 is fed frame by frame so a GOAWAY can be handled first)."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        self.pending += chunk
        frames = []
        while len(self.pending) >= 9:
            length = int.from_bytes(self.pending[:3], "big")
            if len(self.pending) < 9 + length:
                break
            frames.append(self.pending[:9 + length])
            self.pending = self.pending[9 + length:]
        return frames

    def pump(self):
        for frame in self.read_frames():
            if self.goaways:
                self.after_goaway.append(frame)
            else:
                self.handle(self.conn.receive_data(frame))
        self.flush()

    def handle(self, events):
        for event in events:
            if isinstance(event, h2.events.ResponseReceived):
                response = self.responses[event.stream_id]
                response["headers"] = dict(event.headers)
                response["status"] = int(response["headers"][":status"])
            elif isinstance(event, h2.events.DataReceived):
                self.responses[event.stream_id]["body"] += event.data
                # Keep both windows open: this client reads everything it is sent.
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.responses[event.stream_id]["ended"] = True
            elif isinstance(event, h2.events.StreamReset):
                if event.stream_id in self.responses:
                    self.responses[event.stream_id]["reset"] = event.error_code
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.goaways.append((event.last_stream_id, event.error_code))

    def wait_until(self, condition):
        while not condition():
            self.pump()


def fail(reason):
    print(reason)
    sys.exit(1)


def pattern(size):
    return bytes(i % 251 for i in range(size))


def concurrent(client):
    client.wait_until(lambda: client.conn.remote_settings.max_concurrent_streams <= 100)
    ids = [client.request(f"/id/{n}") for n in range(100)]
    client.wait_until(lambda: all(client.responses[i]["ended"] for i in ids))
    for n, stream_id in enumerate(ids):
        response = client.responses[stream_id]
        if response["status"] != 200 or bytes(response["body"]) != f"/id/{n}".encode():
            fail(f"stream {stream_id}: {response}")
    print(f"ok {len(ids)} streams on one connection")


def batches(client):
    """20 rounds of 10 requests, each round's HEADERS frames sent in one write, as h2load -m10 does."""
    client.wait_until(lambda: client.conn.remote_settings.max_concurrent_streams <= 100)
    for round_number in range(20):
        ids = []
        for n in range(10):
            stream_id = client.conn.get_next_available_stream_id()
            client.conn.send_headers(stream_id, [(":method", "GET"), (":scheme", "http"), (":path", f"/id/{n}"),
                                                 (":authority", "127.0.0.1")], end_stream=True)
            client.responses[stream_id] = {"status": None, "headers": {}, "body": bytearray(), "ended": False,
                                           "reset": None}
            ids.append(stream_id)
        client.flush()
        client.wait_until(lambda: all(client.responses[i]["ended"] for i in ids))
        for n, stream_id in enumerate(ids):
            response = client.responses[stream_id]
            if response["status"] != 200 or bytes(response["body"]) != f"/id/{n}".encode():
                fail(f"round {round_number}, stream {stream_id}: {response}")
    print("ok 20 rounds of 10 streams")


def large(client):
    stream_id = client.request("/big")
    client.wait_until(lambda: client.responses[stream_id]["ended"])
    body = bytes(client.responses[stream_id]["body"])
    if body != pattern(1024 * 1024):
        fail(f"body of {len(body)} bytes differs")
    print(f"ok {len(body)} bytes through a 65535-byte window")


def upload(client):
    body = pattern(200 * 1000)
    stream_id = client.request("/echo", method="POST", end_stream=False,
                               headers=[("content-type", "application/octet-stream")])
    offset, frames = 0, 0
    while offset < len(body):
        window = min(client.conn.local_flow_control_window(stream_id), client.conn.max_outbound_frame_size, 1000)
        if window == 0:
            client.pump()  # wait for WINDOW_UPDATE
            continue
        piece = body[offset:offset + window]
        offset += len(piece)
        frames += 1
        client.conn.send_data(stream_id, piece, end_stream=offset == len(body))
        client.flush()
    client.wait_until(lambda: client.responses[stream_id]["ended"])
    if bytes(client.responses[stream_id]["body"]) != body:
        fail("echoed body differs")
    print(f"ok {len(body)} bytes in {frames} DATA frames")


def reset(client):
    stream_id = client.request("/endless")
    client.wait_until(lambda: len(client.responses[stream_id]["body"]) >= 32 * 1024)
    client.conn.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
    client.flush()
    # The connection must stay usable after a reset.
    next_id = client.request("/hello")
    client.wait_until(lambda: client.responses[next_id]["ended"])
    if client.responses[next_id]["status"] != 200:
        fail(f"after the reset: {client.responses[next_id]}")
    print("ok reset mid-stream, connection still serves")


def goaway(client):
    stream_id = client.request("/hold")
    client.wait_until(lambda: client.goaways)
    # h2 refuses every frame after a GOAWAY; read the rest of the conversation as raw frames.
    status_seen, final_goaway = False, None
    frames = client.after_goaway
    try:
        while True:
            for frame in frames:
                kind, frame_stream = frame[3], int.from_bytes(frame[5:9], "big") & 0x7FFFFFFF
                if kind == 1 and frame_stream == stream_id:
                    status_seen = True
                if kind == 7:
                    final_goaway = int.from_bytes(frame[9:13], "big") & 0x7FFFFFFF
            frames = client.read_frames()
    except EOFError:
        pass
    first = client.goaways[0][0]
    if first != 2**31 - 1 or not status_seen or final_goaway != stream_id:
        fail(f"notice last id {first}, response seen {status_seen}, final GOAWAY last id {final_goaway}")
    print(f"ok notice, stream {stream_id} finished, GOAWAY last stream {final_goaway}, closed")


def stall(client):
    # The preface and SETTINGS are out; send nothing more. The header timeout must end this with a GOAWAY.
    kinds = []
    try:
        while True:
            kinds += [frame[3] for frame in client.read_frames()]
    except EOFError:
        pass
    if 7 not in kinds:
        fail(f"closed without GOAWAY, frame types {kinds}")
    print("ok GOAWAY, then closed")


def idle(client):
    # One request answered, then nothing: the idle timeout must end the connection with GOAWAY(NO_ERROR).
    stream_id = client.request("/hello")
    client.wait_until(lambda: client.goaways)
    last_stream, error = client.goaways[0]
    try:
        while True:
            client.read_frames()
    except EOFError:
        pass
    if client.responses[stream_id]["status"] != 200 or last_stream != stream_id or error != 0:
        fail(f"response {client.responses[stream_id]}, GOAWAY last stream {last_stream}, error {error}")
    print(f"ok answered, then GOAWAY(NO_ERROR, last stream {last_stream}) and closed")


if __name__ == "__main__":
    port, scenario = int(sys.argv[1]), sys.argv[2]
    client = Client(port)
    {"concurrent": concurrent, "batches": batches, "large": large, "upload": upload, "reset": reset, "goaway": goaway, "stall": stall,
     "idle": idle}[scenario](client)
