#!/usr/bin/env python3
"""h2spec-style conformance cases for ScanRelay's HTTP/2, written as raw frames with `hyperframe` and `hpack` (the
libraries under python `h2`), so a case can send what a well-behaved client library never would.

usage: h2_conformance.py PORT CASE    (h2_conformance.py list   prints the cases)
Prints "ok CASE: <what the server did>" and exits 0 when the server answered as RFC 9113 requires; prints the
reason and exits 1 otherwise. Each case follows h2spec's verdicts: a stream error may be answered by RST_STREAM or
GOAWAY with the expected code, or by closing the connection; a connection error by GOAWAY or closing.
"""
import socket
import sys
import time

from hpack import Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, RstStreamFrame,
                              SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
TIMEOUT = 5.0
PROTOCOL_ERROR, STREAM_CLOSED, CANCEL = 0x1, 0x5, 0x8


class Closed(Exception):
    pass


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""
        self.encoder = Encoder()

    def send(self, *frames):
        self.sock.sendall(b"".join(f.serialize() if isinstance(f, Frame) else f for f in frames))

    def handshake(self):
        """Preface and SETTINGS; waits for the server's SETTINGS and the ACK of ours, acknowledging theirs."""
        self.send(PREFACE, SettingsFrame(0))
        got_settings = got_ack = False
        while not (got_settings and got_ack):
            frame = self.next_frame(TIMEOUT)
            if isinstance(frame, SettingsFrame):
                if "ACK" in frame.flags:
                    got_ack = True
                else:
                    got_settings = True
                    self.send(SettingsFrame(0, flags=["ACK"]))

    def headers(self, stream_id, end_stream=True, end_headers=True):
        block = self.encoder.encode([(":method", "GET"), (":scheme", "http"), (":path", "/hello"),
                                     (":authority", "127.0.0.1")])
        flags = (["END_STREAM"] if end_stream else []) + (["END_HEADERS"] if end_headers else [])
        return HeadersFrame(stream_id, data=block, flags=flags)

    def next_frame(self, timeout):
        """The next whole frame; raises Closed at EOF or reset, TimeoutError when nothing comes in time."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) >= 9:
                length = int.from_bytes(self.buffer[:3], "big")
                if len(self.buffer) >= 9 + length:
                    frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
                    frame.parse_body(memoryview(self.buffer[9:9 + length]))
                    self.buffer = self.buffer[9 + length:]
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError()
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                raise Closed()
            except socket.timeout:
                raise TimeoutError()
            if not chunk:
                raise Closed()
            self.buffer += chunk

    def wait_stream_end(self, stream_id):
        while True:
            frame = self.next_frame(TIMEOUT)
            if frame.stream_id == stream_id and "END_STREAM" in frame.flags:
                return

    def verify(self, codes, stream_error):
        """h2spec's VerifyStreamError / VerifyConnectionError: the first matching answer within the timeout."""
        seen = []
        while True:
            try:
                frame = self.next_frame(TIMEOUT)
            except Closed:
                return "connection closed" + (f" after {', '.join(seen)}" if seen else "")
            except TimeoutError:
                fail(f"no answer within {TIMEOUT} s; saw {seen or 'nothing'}")
            if isinstance(frame, GoAwayFrame):
                if frame.error_code in codes:
                    return f"GOAWAY({frame.error_code:#x})"
                fail(f"GOAWAY with error code {frame.error_code:#x}, expected one of {codes}")
            if stream_error and isinstance(frame, RstStreamFrame) and frame.error_code in codes:
                return f"RST_STREAM({frame.error_code:#x}) on stream {frame.stream_id}"
            seen.append(type(frame).__name__)


def fail(reason):
    print(f"FAIL {CASE}: {reason}")
    sys.exit(1)


def invalid_preface_after_pri(c):
    """3.5: a preface that starts as HTTP/2's and goes wrong: GOAWAY(PROTOCOL_ERROR), not an HTTP/1.1 answer."""
    c.send(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", SettingsFrame(0))
    answer = c.verify([PROTOCOL_ERROR], stream_error=False)
    if not answer.startswith("GOAWAY"):
        fail(f"expected GOAWAY(PROTOCOL_ERROR), got {answer}")
    return answer


def invalid_preface_h2spec(c):
    """3.5/2 (h2spec's bytes): the endpoint MUST terminate the TCP connection (GOAWAY allowed, RFC 9113 §3.4)."""
    c.send(b"INVALID CONNECTION PREFACE\r\n\r\n")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        c.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not c.sock.recv(65536):
                return "connection closed"
        except ConnectionResetError:
            return "connection reset"
        except socket.timeout:
            break
    fail("the connection stayed open")


def idle_data(c):
    c.handshake()
    c.send(DataFrame(1, data=b"test", flags=["END_STREAM"]))
    return c.verify([PROTOCOL_ERROR], stream_error=False)


def idle_rst_stream(c):
    c.handshake()
    c.send(RstStreamFrame(1, error_code=CANCEL))
    return c.verify([PROTOCOL_ERROR], stream_error=False)


def idle_window_update(c):
    c.handshake()
    c.send(WindowUpdateFrame(1, window_increment=100))
    return c.verify([PROTOCOL_ERROR], stream_error=False)


def idle_continuation(c):
    c.handshake()
    block = c.encoder.encode([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "x")])
    c.send(ContinuationFrame(1, data=block, flags=["END_HEADERS"]))
    return c.verify([PROTOCOL_ERROR], stream_error=False)


def half_closed_data(c):
    c.handshake()
    c.send(c.headers(1), DataFrame(1, data=b"test", flags=["END_STREAM"]))
    return c.verify([STREAM_CLOSED], stream_error=True)


def half_closed_headers(c):
    c.handshake()
    c.send(c.headers(1), c.headers(1))
    return c.verify([STREAM_CLOSED], stream_error=True)


def half_closed_continuation(c):
    c.handshake()
    block = c.encoder.encode([("x-dummy", "1")])
    c.send(c.headers(1), ContinuationFrame(1, data=block, flags=["END_HEADERS"]))
    return c.verify([STREAM_CLOSED, PROTOCOL_ERROR], stream_error=True)


def closed_data_after_rst(c):
    """5.1/8"""
    c.handshake()
    c.send(c.headers(1, end_stream=False), RstStreamFrame(1, error_code=CANCEL), DataFrame(1, data=b"test", flags=["END_STREAM"]))
    return c.verify([STREAM_CLOSED], stream_error=True)


def closed_headers_after_rst(c):
    """5.1/9"""
    c.handshake()
    c.send(c.headers(1, end_stream=False), RstStreamFrame(1, error_code=CANCEL), c.headers(1))
    return c.verify([STREAM_CLOSED], stream_error=True)


def closed_continuation_after_rst(c):
    """5.1/10"""
    c.handshake()
    block = c.encoder.encode([("x-dummy", "1")])
    c.send(c.headers(1, end_stream=False), RstStreamFrame(1, error_code=CANCEL),
           ContinuationFrame(1, data=block, flags=["END_HEADERS"]))
    return c.verify([STREAM_CLOSED, PROTOCOL_ERROR], stream_error=True)


def closed_data(c):
    """5.1/11"""
    c.handshake()
    c.send(c.headers(1))
    c.wait_stream_end(1)
    c.send(DataFrame(1, data=b"test", flags=["END_STREAM"]))
    return c.verify([STREAM_CLOSED], stream_error=True)


def closed_headers(c):
    """5.1/12"""
    c.handshake()
    c.send(c.headers(1))
    c.wait_stream_end(1)
    c.send(c.headers(1))
    return c.verify([STREAM_CLOSED], stream_error=True)


def closed_continuation(c):
    """5.1/13"""
    c.handshake()
    c.send(c.headers(1))
    c.wait_stream_end(1)
    block = c.encoder.encode([("x-dummy", "1")])
    c.send(ContinuationFrame(1, data=block, flags=["END_HEADERS"]))
    return c.verify([STREAM_CLOSED, PROTOCOL_ERROR], stream_error=True)


CASES = {
    "3.5/invalid-preface-after-PRI": invalid_preface_after_pri,
    "3.5/2": invalid_preface_h2spec,
    "5.1/1": idle_data,
    "5.1/2": idle_rst_stream,
    "5.1/3": idle_window_update,
    "5.1/4": idle_continuation,
    "5.1/5": half_closed_data,
    "5.1/6": half_closed_headers,
    "5.1/7": half_closed_continuation,
    "5.1/8": closed_data_after_rst,
    "5.1/9": closed_headers_after_rst,
    "5.1/10": closed_continuation_after_rst,
    "5.1/11": closed_data,
    "5.1/12": closed_headers,
    "5.1/13": closed_continuation,
}

if __name__ == "__main__":
    if sys.argv[1:] == ["list"]:
        print("\n".join(CASES))
        sys.exit(0)
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__)
        sys.exit(2)
    CASE = sys.argv[2]
    try:
        result = CASES[CASE](Conn(int(sys.argv[1])))
    except (Closed, TimeoutError) as error:
        fail(f"during the handshake or request: {type(error).__name__}")
    print(f"ok {CASE}: {result}")
