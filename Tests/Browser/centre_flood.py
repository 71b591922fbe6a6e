"""Floods a centre's intake listener as an attacker on the network would, then
sends one genuine kiosk request. Prints one JSON line of what happened.

    centre_flood.py INTAKE_URL SECRET_HEX KIOSK_CODE

1,100 idle TCP connections (more than the 1,024 descriptors the centre may
hold) and 200 slow-loris connections that send a request head one byte at a
time; then a signed submission (kiosk_wire), which must be served; then
whether the slow-loris connections were closed by the centre."""
import json
import os
import resource
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import kiosk_wire  # noqa: E402

url, secret, kiosk = sys.argv[1], sys.argv[2], sys.argv[3]
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))


def connect():
    try:
        return socket.create_connection((host, port), timeout=2)
    except OSError:
        return None  # the centre's backlog is full: refused or dropped, as designed


idle = [s for s in (connect() for _ in range(1100)) if s]
slow = [s for s in (connect() for _ in range(200)) if s]
for s in slow:
    try:
        s.sendall(b"POST /api/v1/submissions HTTP/1.1\r\nHost: centre\r\nX-Slow: ")
    except OSError:
        pass

started = time.time()
body = kiosk_wire.submission(kiosk, kiosk_wire.receipt_number(kiosk, time.strftime("%y%m%d"), 1), "red", "欧阳明华")
try:
    reference = kiosk_wire.send(url, secret, body, timeout=30)
    served = True
except Exception as error:  # noqa: BLE001 - reported, not raised
    reference, served = str(error), False
seconds = time.time() - started

# A slow-loris connection keeps trickling; the centre must have closed it.
closed = 0
deadline = time.time() + 15
for s in slow:
    while True:
        try:
            s.settimeout(max(0.1, deadline - time.time()))
            s.sendall(b"a")
            if s.recv(1024) == b"":
                closed += 1
                break
        except (socket.timeout, TimeoutError):
            if time.time() >= deadline:
                break
        except OSError:
            closed += 1
            break
print(json.dumps({"served": served, "reference": reference, "seconds": round(seconds, 1),
                  "idle_opened": len(idle), "slow_opened": len(slow), "slow_closed": closed}))
