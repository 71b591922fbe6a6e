"""Floods a centre's intake listener as an attacker on the network would, then
sends one genuine kiosk request. Prints one JSON line of what happened.

    centre_flood.py INTAKE_URL SECRET_HEX KIOSK_CODE

1,100 idle TCP connections (more than the 1,024 descriptors the centre may
hold), from eleven addresses (127.0.1.1-11, 100 each: under the per-address
cap); 200 slow-loris connections from two more (127.0.2.1-2) that send a
request head a byte every 2 seconds, faster than the idle timeout; then a
signed submission (kiosk_wire) from 127.0.0.1, which must be served; then
whether the slow-loris connections were closed by the centre (the head's
deadline) and how long they lasted; last, 300 connections from one address
(127.0.3.1), of which the centre keeps at most its per-address cap."""
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


def connect(source="127.0.0.1"):
    try:
        return socket.create_connection((host, port), timeout=2, source_address=(source, 0))
    except OSError:
        return None  # the centre's backlog is full: refused or dropped, as designed


idle = [s for s in (connect("127.0.1.%d" % (1 + n // 100)) for n in range(1100)) if s]
slow = [s for s in (connect("127.0.2.%d" % (1 + n // 100)) for n in range(200)) if s]
slow_started = time.time()
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

# Each slow-loris connection trickles a byte every 2 s (the idle timeout is
# 5 s), for up to 40 s; the centre must close each (a send fails or a read
# finds the end) by its head's deadline.
open_slow = list(slow)
closed, lasted = 0, 0.0
deadline = time.time() + 40
while open_slow and time.time() < deadline:
    still = []
    for s in open_slow:
        try:
            s.setblocking(False)
            s.sendall(b"a")
            try:
                if s.recv(1024) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                still.append(s)
                continue
        except OSError:
            closed += 1
            lasted = max(lasted, time.time() - slow_started)
            continue
        still.append(s)
    open_slow = still
    time.sleep(2)
for s in idle + slow:
    s.close()

# One address opens 300 connections: the centre keeps at most its cap and closes the rest at once.
crowd = [s for s in (connect("127.0.3.1") for _ in range(300)) if s]
time.sleep(2)
kept = 0
for s in crowd:
    s.setblocking(False)
    try:
        if s.recv(1) != b"":
            kept += 1
    except BlockingIOError:
        kept += 1
    except OSError:
        pass
print(json.dumps({"served": served, "reference": reference, "seconds": round(seconds, 1),
                  "idle_opened": len(idle), "slow_opened": len(slow), "slow_closed": closed,
                  "slow_lasted": round(lasted, 1), "crowd_opened": len(crowd), "crowd_kept": kept}))
