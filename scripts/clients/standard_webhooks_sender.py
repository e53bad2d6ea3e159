#!/usr/bin/env python3
"""Sends Standard Webhooks deliveries to a ScanRelay server the way senders do, with libraries nobody on the project
wrote: `v1` signed by the reference library (PyPI `standardwebhooks`), `v1a` signed with an Ed25519 key from
`cryptography` exactly as the Standard Webhooks spec describes (the reference library signs `v1` only).

usage:
  standard_webhooks_sender.py keygen
      prints {"publicKey": "whpk_<base64>", "privateKey": "<base64 of the 32-byte seed>"}
  standard_webhooks_sender.py send PORT SOURCE (v1 SECRET | v1a PRIVATE_KEY) BODY_JSON [--tamper]
      prints {"status": <HTTP status>, "body": <JSON answer>}; --tamper changes the body after signing
"""
import base64
import json
import sys
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from standardwebhooks.webhooks import Webhook

TIMEOUT = 20


def keygen():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    print(json.dumps({"publicKey": "whpk_" + base64.b64encode(public).decode(),
                      "privateKey": base64.b64encode(seed).decode()}))


def sign_v1a(seed_b64, msg_id, timestamp, body):
    """`v1a,<base64 Ed25519 signature of "id.timestamp.body">` (Standard Webhooks spec, asymmetric signatures)."""
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))
    signature = key.sign(f"{msg_id}.{timestamp}.".encode() + body)
    return "v1a," + base64.b64encode(signature).decode()


def send(port, source, scheme, key, body_text, tamper):
    body = body_text.encode()
    msg_id = "msg_" + uuid.uuid4().hex
    now = datetime.now(tz=timezone.utc)
    if scheme == "v1":
        signature = Webhook(key).sign(msg_id, now, body)
    elif scheme == "v1a":
        signature = sign_v1a(key, msg_id, int(now.timestamp()), body)
    else:
        raise SystemExit(f"unknown scheme {scheme}")
    if tamper:
        body = body.replace(b"}", b" }", 1)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/webhooks/{source}", data=body, method="POST",
        headers={"Content-Type": "application/json", "webhook-id": msg_id,
                 "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    print(json.dumps({"status": status, "body": json.loads(answer)}))


def main(argv):
    if argv[1:2] == ["keygen"]:
        return keygen()
    if len(argv) >= 7 and argv[1] == "send":
        return send(int(argv[2]), argv[3], argv[4], argv[5], argv[6], "--tamper" in argv[7:])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
