"""Capture real attesto-local-vault relay requests as attest relay-request files.

Runs a loopback HTTP server that records each POST (the three
X-Attesto-Local-Vault-* headers and the exact body) as an
`attest.attesto-relay-request.v1` document and answers 503, so the package
keeps the item queued. Usage (from run.sh or by hand):

    python capture_relay.py OUT_DIR PORT_FILE

It writes the port it listens on to PORT_FILE and serves until killed.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

OUT, PORT_FILE = sys.argv[1], sys.argv[2]
HEADERS = (
    "X-Attesto-Local-Vault-Envelope-Hash",
    "X-Attesto-Local-Vault-Signature",
    "X-Attesto-Local-Vault-Public-Key",
)
count = 0


class Capture(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        count += 1
        doc = {
            "type": "attest.attesto-relay-request.v1",
            "headers": {h: self.headers.get(h, "") for h in HEADERS},
            "body": body.decode("utf-8"),
        }
        with open(f"{OUT}/request-{count}.json", "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, sort_keys=True)
            f.write("\n")
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Capture)
with open(PORT_FILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
