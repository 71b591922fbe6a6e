"""Sign-in attacks on a real centre's console, while a kiosk submits. Prints
one JSON line of what happened.

    signin_flood.py CONSOLE_PORT INTAKE_PORT SECRET_HEX KIOSK_CODE STAFF PASSWORD

First a stranger at 127.0.0.66 types six wrong passwords for STAFF (more than
lock the account), and then the member of staff at 127.0.0.7 signs in with the
right one. Then 40 clients at 127.0.0.100-139 post wrong passwords as fast as
they are answered (10 each) while the kiosk sends 20 signed submissions, each
with a 5-second timeout, one after the other."""
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import kiosk_wire  # noqa: E402

console_port, intake_port = int(sys.argv[1]), int(sys.argv[2])
secret, kiosk, staff, password = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]


def sign_in(source, username, typed):
    """GET /login for its form token, then POST it; the status, the page's error words and Retry-After."""
    connection = http.client.HTTPConnection("127.0.0.1", console_port, timeout=30, source_address=(source, 0))
    connection.request("GET", "/login")
    page = connection.getresponse()
    page.read()
    cookie = re.search(r"kc_signin=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    form = urllib.parse.urlencode({"csrf": cookie, "username": username, "password": typed, "next": "/"})
    connection.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "kc_signin=" + cookie})
    answer = connection.getresponse()
    body = answer.read().decode()
    connection.close()
    error = re.search(r'class="error-summary[^"]*".*?<li>(.*?)</li>', body, re.S)
    words = re.sub(r"<[^>]+>", "", error.group(1)).strip() if error else ""
    return answer.status, words, answer.getheader("Retry-After")


stranger = [sign_in("127.0.0.66", staff, "not the password %d" % n) for n in range(6)]
owner = sign_in("127.0.0.7", staff, password)

flood = []
lock = threading.Lock()


def flooder(index):
    for n in range(10):
        result = sign_in("127.0.0.%d" % (100 + index), staff, "guess %d %d" % (index, n))
        with lock:
            flood.append(result[0])


threads = [threading.Thread(target=flooder, args=(i,)) for i in range(40)]
for thread in threads:
    thread.start()
time.sleep(0.5)  # let the flood build up before the kiosk starts (the flood itself is bounded)
kiosk_results = []
day = time.strftime("%y%m%d")
for sequence in range(1, 21):
    body = kiosk_wire.submission(kiosk, kiosk_wire.receipt_number(kiosk, day, 7000 + sequence), "red", "欧阳明华")
    started = time.time()
    try:
        kiosk_wire.send("http://127.0.0.1:%d" % intake_port, secret, body, timeout=5)
        kiosk_results.append({"ok": True, "seconds": round(time.time() - started, 3)})
    except Exception as error:  # noqa: BLE001 - the kind of failure is what is reported
        kiosk_results.append({"ok": False, "error": str(error)})
for thread in threads:
    thread.join()
print(json.dumps({"stranger": stranger, "owner": owner, "flood": flood, "kiosk": kiosk_results}, ensure_ascii=False))
