"""Checking an Ombud webhook delivery (docs/integrations.md#webhooks).

Standard library only. CI runs this file against real deliveries, and
against forged, tampered and replayed ones (.ci/webhook-receivers).
"""

import hashlib
import hmac
import time


def verify(secret: str, signature_header: str, body: bytes, now: float | None = None,
           tolerance: int = 300) -> bool:
    """True if `body` (the raw request body, as bytes) was signed by Ombud
    with `secret` (the endpoint's `whsec_...`), and the signature is at most
    `tolerance` seconds from `now` (default: this machine's clock)."""
    timestamp, signatures = None, []
    for part in signature_header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdecimal():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False  # too old: a replay (or a clock far off)
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
    return any(hmac.compare_digest(expected, s.encode()) for s in signatures)


# A receiver with the standard library: check, drop duplicates, answer 2xx.
if __name__ == "__main__":
    import json
    import os
    from http.server import BaseHTTPRequestHandler, HTTPServer

    SECRET = os.environ["OMBUD_WEBHOOK_SECRET"]
    seen = set()  # keep these somewhere durable in a real receiver

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not verify(SECRET, self.headers.get("Ombud-Signature", ""), body):
                self.send_response(400)
                self.end_headers()
                return
            event = json.loads(body)
            if event["id"] not in seen:  # at least once: the same id may come again
                seen.add(event["id"])
                print(event["type"], event["case"] and event["case"]["reference"])
            self.send_response(204)
            self.end_headers()

    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Receiver).serve_forever()
