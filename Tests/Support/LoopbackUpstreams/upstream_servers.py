"""Loopback upstreams for the libcurl client's tests. One mode per process; every event is a JSON line on stdout.

  upstream_servers.py json [--tls CERT KEY] [--client-ca CA] [--h2]   answers every request with a small JSON body
  upstream_servers.py redirect TARGET_URL                              answers 302 Location: TARGET_URL
  upstream_servers.py endless                                          200 and a body that never ends (bounded: 1 GiB)
  upstream_servers.py silent                                           reads the request, never answers
  upstream_servers.py proxy                                            a forward proxy: absolute-form requests and CONNECT

The first line is {"event": "ready", "port": N}. Then, per mode: "request" (method, path, connection = the client's
port, headers, clientCert), "proxy" (method, target), "closed" (bytesSent: how much of the answer went out before
the client closed the connection). Every socket has a timeout, so nothing here outlives its test for long.
"""
import json
import select
import socket
import ssl
import sys
import threading

LIMIT_SECONDS = 60
ENDLESS_LIMIT = 1 << 30
lock = threading.Lock()


def emit(**event):
    with lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def read_head(conn):
    """The request line and header fields, or None when the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        rest += chunk
    return method, target, headers, rest


def wait_closed(conn, sent):
    """Blocks until the client closes (or LIMIT_SECONDS), then reports it."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    emit(event="closed", bytesSent=sent)


def serve(listener, handle, tls_context=None):
    emit(event="ready", port=listener.getsockname()[1])
    while True:
        conn, address = listener.accept()
        conn.settimeout(LIMIT_SECONDS)
        threading.Thread(target=connection, args=(conn, address, handle, tls_context), daemon=True).start()


def connection(conn, address, handle, tls_context):
    try:
        if tls_context is not None:
            try:
                conn = tls_context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as error:
                emit(event="tlsFailed", reason=type(error).__name__)
                return
        handle(conn, address)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def client_subject(conn):
    cert = conn.getpeercert() if isinstance(conn, ssl.SSLSocket) else None
    if not cert:
        return None
    return dict(item[0] for item in cert["subject"]).get("commonName")


def json_mode(conn, address):
    while True:
        request = read_head(conn)
        if request is None:
            return
        method, target, headers, body = request
        emit(event="request", method=method, path=target, connection=address[1], headers=headers,
             clientCert=client_subject(conn), body=body.decode("utf-8", "replace"))
        answer = json.dumps({"ok": True, "path": target}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Answer: yes\r\nContent-Length: "
                     + str(len(answer)).encode() + b"\r\n\r\n" + answer)


def h2_mode(conn, address):
    import h2.config
    import h2.connection
    import h2.events
    h2conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    h2conn.initiate_connection()
    conn.sendall(h2conn.data_to_send())
    while True:
        data = conn.recv(65536)
        if not data:
            return
        for event in h2conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                headers = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                           for k, v in event.headers}
                emit(event="request", method=headers.get(":method"), path=headers.get(":path"),
                     connection=address[1], headers=headers, clientCert=client_subject(conn), protocol="h2")
                answer = json.dumps({"ok": True, "path": headers.get(":path")}).encode()
                h2conn.send_headers(event.stream_id, [(":status", "200"), ("content-type", "application/json"),
                                                      ("content-length", str(len(answer)))])
                h2conn.send_data(event.stream_id, answer, end_stream=True)
        conn.sendall(h2conn.data_to_send())


def redirect_mode(target_url):
    def handle(conn, address):
        request = read_head(conn)
        if request is None:
            return
        emit(event="request", method=request[0], path=request[1], connection=address[1], headers=request[2])
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + target_url.encode()
                     + b"\r\nContent-Length: 0\r\n\r\n")
        wait_closed(conn, 0)
    return handle


def endless_mode(conn, address):
    request = read_head(conn)
    if request is None:
        return
    emit(event="request", method=request[0], path=request[1], connection=address[1], headers=request[2])
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
    sent = 0
    chunk = b'{"padding": "' + b"x" * 65536
    try:
        while sent < ENDLESS_LIMIT:
            conn.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    emit(event="closed", bytesSent=sent)


def silent_mode(conn, address):
    request = read_head(conn)
    if request is None:
        return
    emit(event="request", method=request[0], path=request[1], connection=address[1], headers=request[2])
    wait_closed(conn, 0)


def relay(a, b):
    """Copies bytes both ways until either side closes."""
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], LIMIT_SECONDS)
        if not readable:
            return
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (b if source is a else a).sendall(data)


def proxy_mode(conn, address):
    request = read_head(conn)
    if request is None:
        return
    method, target, headers, body = request
    emit(event="proxy", method=method, target=target)
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=LIMIT_SECONDS)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        relay(conn, upstream)
        upstream.close()
        return
    # Absolute form: http://host:port/path. Forwarded as origin form on a fresh connection, closed after.
    rest = target.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.rpartition(":")
    upstream = socket.create_connection((host, int(port or 80)), timeout=LIMIT_SECONDS)
    lines = [f"{method} /{path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()
                                               if k not in ("proxy-connection", "connection")]
    upstream.sendall(("\r\n".join(lines + ["Connection: close", "", ""])).encode("latin-1") + body)
    while True:
        data = upstream.recv(65536)
        if not data:
            break
        conn.sendall(data)
    upstream.close()


def main():
    mode = sys.argv[1]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    tls_context = None
    args = sys.argv[2:]
    if "--tls" in args:
        index = args.index("--tls")
        tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_context.load_cert_chain(args[index + 1], args[index + 2])
        tls_context.set_alpn_protocols(["h2"] if "--h2" in args else ["http/1.1"])
        if "--client-ca" in args:
            tls_context.verify_mode = ssl.CERT_REQUIRED
            tls_context.load_verify_locations(args[args.index("--client-ca") + 1])
    handlers = {"json": h2_mode if "--h2" in args else json_mode, "endless": endless_mode, "silent": silent_mode,
                "proxy": proxy_mode}
    handle = redirect_mode(args[0]) if mode == "redirect" else handlers[mode]
    serve(listener, handle, tls_context)


if __name__ == "__main__":
    main()
