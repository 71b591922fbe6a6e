"""The intake behind the district's TLS proxy, attacked through it. Prints one
JSON line of what happened.

    proxy_flood.py INTAKE_PORT SECRET_HEX KIOSK_CODE

A reverse proxy on loopback (as nginx or HAProxy would be) connects to the
centre from 127.0.0.2 and appends each client's address to X-Forwarded-For.
An attacker at 127.0.0.66 sends 40 requests with bad signatures claiming the
genuine kiosk's code through it; then the genuine kiosk at 127.0.0.7, and a
correctly signed request from the attacker's own address, send one submission
each through the same proxy. Last, a client straight to the centre at
127.0.0.9 (no trusted proxy) sends 40 bad signatures, each claiming another
X-Forwarded-For address, to show that the header is believed only from the
proxy."""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import kiosk_wire  # noqa: E402

centre_port, secret, kiosk = int(sys.argv[1]), sys.argv[2], sys.argv[3]
PROXY_SOURCE = "127.0.0.2"


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "x-forwarded-for")}
        chain = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = (chain + ", " if chain else "") + self.client_address[0]
        upstream = http.client.HTTPConnection("127.0.0.1", centre_port, timeout=10,
                                              source_address=(PROXY_SOURCE, 0))
        upstream.request("POST", self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name in ("Content-Type", "Retry-After"):
            if answer.getheader(name):
                self.send_header(name, answer.getheader(name))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    def log_message(self, *args):
        pass


proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
proxy_port = proxy.server_address[1]


def post(port, source, path, body, code, sign_with, extra=None):
    """One POST from `source` to `port`; signed with `sign_with` (hex) over the body. The status."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    stamp = str(int(time.time()))
    message = "POST\n%s\n%s\n%s" % (path, stamp, hashlib.sha256(data).hexdigest())
    signature = "v1=" + hmac.new(bytes.fromhex(sign_with), message.encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "Kiosk-Code": code, "Kiosk-Timestamp": stamp,
               "Kiosk-Signature": signature}
    if "submissionId" in body:
        headers["Idempotency-Key"] = body["submissionId"]
    headers.update(extra or {})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    connection.request("POST", path, body=data, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def submission(sequence):
    day = time.strftime("%y%m%d")
    return kiosk_wire.submission(kiosk, kiosk_wire.receipt_number(kiosk, day, sequence), "red", "欧阳明华")


wrong = "00" * 32
beat = kiosk_wire.kiosk_state()
beat.update(kioskCode=kiosk, sentAt=int(time.time() * 1000))
heartbeat = "/api/v1/kiosks/%s/heartbeat" % kiosk
attacker = [post(proxy_port, "127.0.0.66", heartbeat, beat, kiosk, wrong) for _ in range(40)]
genuine = post(proxy_port, "127.0.0.7", "/api/v1/submissions", submission(9001), kiosk, secret)
signed_from_attacker = post(proxy_port, "127.0.0.66", "/api/v1/submissions", submission(9002), kiosk, secret)
# The attacker's own address is spent; another kiosk's address behind the same proxy is not.
another_bad = post(proxy_port, "127.0.0.8", heartbeat, beat, "JA9999", wrong)
direct = [post(centre_port, "127.0.0.9", heartbeat, beat, "JA%04d" % n, wrong,
               {"X-Forwarded-For": "203.0.113.%d" % n}) for n in range(40)]
print(json.dumps({"attacker": attacker, "genuine": genuine, "signed_from_attacker": signed_from_attacker,
                  "another_bad": another_bad, "direct": direct}))
proxy.shutdown()
