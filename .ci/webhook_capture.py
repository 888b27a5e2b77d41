"""A webhook receiver for CI: saves every request it gets (headers and raw
body) as NNN.json in the folder named by its first argument, answers 204,
and listens on the port named by its second."""

import base64
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

folder, port = sys.argv[1], int(sys.argv[2])
count = 0


class Capture(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        count += 1
        record = {"headers": dict(self.headers.items()), "body": base64.b64encode(body).decode()}
        with open(os.path.join(folder, f"{count:03}.json.tmp"), "w") as f:
            json.dump(record, f)
        os.rename(os.path.join(folder, f"{count:03}.json.tmp"), os.path.join(folder, f"{count:03}.json"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Capture).serve_forever()
