"""Runs the documented Python verification (docs/examples/verify_webhook.py)
on deliveries Ombud really sent (captured by .ci/webhook_capture.py), and on
forged, tampered and replayed copies of them, which it must refuse.
Usage: webhook_checks.py CAPTURE_FOLDER SECRET"""

import base64
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs", "examples"))
from verify_webhook import verify  # noqa: E402

folder, secret = sys.argv[1], sys.argv[2]
deliveries = []
for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
    with open(path) as f:
        record = json.load(f)
    headers = {k.lower(): v for k, v in record["headers"].items()}
    deliveries.append((headers, base64.b64decode(record["body"])))
types = [json.loads(body)["type"] for _, body in deliveries]
assert "ping" in types and "case_filed" in types, types

for headers, body in deliveries:
    header = headers["ombud-signature"]
    t = int(header.split(",")[0].removeprefix("t="))
    assert verify(secret, header, body), f"a real delivery verifies: {header}"
    assert json.loads(body)["id"] == headers["ombud-event-id"]
    assert not verify("whsec_" + "A" * 43, header, body), "a forger's secret"
    assert not verify(secret, header, body.replace(b'"type":"', b'"type":"x'), now=t), "a tampered body"
    assert not verify(secret, header, body, now=t + 301), "a replay six minutes later"
    assert verify(secret, header, body, now=t + 299), "within five minutes"
    assert not verify(secret, header.replace("v1=", "v0="), body), "no v1 signature"
    assert not verify(secret, "", body), "no header"
# The code docs/integrations.md shows is the code checked here, in both languages.
here = os.path.join(os.path.dirname(__file__), "..")
with open(os.path.join(here, "docs", "integrations.md")) as f:
    guide = f.read()
for example, start, end in [
    ("verify_webhook.py", "import hashlib", "# A receiver with the standard library"),
    ("verify-webhook.ts", "import { createHmac", "// With Express"),
]:
    with open(os.path.join(here, "docs", "examples", example)) as f:
        code = f.read()
    shown = code[code.index(start):code.index(end)].rstrip()
    assert shown in guide, f"docs/integrations.md shows docs/examples/{example} as it is"

print(f"Python verification: {len(deliveries)} real deliveries verified ({', '.join(types)}); "
      "forged, tampered and replayed copies refused")
