"""What a kiosk sends and prints, written again in Python for the browser tests:
receipt numbers (ISO 7064 MOD 37,36), receipt tokens (K1, HMAC under the key
derived from the kiosk's centre secret) and signed intake requests.
See docs/intake-api.yaml; the Swift side is Sources/IntakeProtocol."""
import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_character(body):
    m, p = 36, 36
    for ch in body:
        s = (p + ALPHABET.index(ch)) % m or m
        p = (s * 2) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


def receipt_number(kiosk, day, sequence):
    seq = "%04d" % sequence
    return "%s-%s-%s-%s" % (kiosk, day, seq, check_character(kiosk + day + seq))


def receipt_key(secret_hex, kiosk):
    """HKDF-SHA256 (no salt) of the kiosk's centre secret, info kiosk-receipt-key-v1:<code>."""
    prk = hmac.new(b"\0" * 32, bytes.fromhex(secret_hex), hashlib.sha256).digest()
    return hmac.new(prk, ("kiosk-receipt-key-v1:" + kiosk).encode() + b"\x01", hashlib.sha256).digest()


def base36(number):
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = ALPHABET[digit] + out
    return out or "0"


def receipt_token(key, receipt, issued=None):
    body = "K1.%s.%s" % (receipt, base36(int(issued or time.time())))
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()[:12]
    return body + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def submission(kiosk, receipt, level, name, street="nanjing-west", created=None, story="腿脚不便独居", texts=False):
    created_ms = int((created or time.time()) * 1000)
    reasons = ["emergency food=none-today"] if level == "red" else ["score 7 >= 6 (%s)" % level]
    applicant = {"addressDetail": "武定路 1 弄 2 号", "community": "wuding", "householdSize": 3, "name": name,
                 "phone": "13912345678", "residentId": "11010519491231002X", "street": street}
    if texts:
        applicant["textMessages"] = True
    return {
        "answers": [{"option": "none-today" if level == "red" else "worried", "question": "food"}],
        "applicant": applicant,
        "consent": {"givenAt": created_ms, "version": "consent-v1"},
        "createdAt": created_ms, "description": story,
        "hardship": {"level": level, "reasons": reasons, "scores": {"development": 0, "economic": 6, "social": 1}},
        "kioskCode": kiosk, "language": "zh-Hans", "programme": "elderly-wellbeing", "receiptNumber": receipt,
        "service": "meal-assistance", "submissionId": str(uuid.uuid4()),
    }


def send(intake_url, secret_hex, body, timeout=10):
    """POSTs one submission signed as its kiosk; returns the centre's reference."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    stamp = str(int(time.time()))
    path = "/api/v1/submissions"
    message = "POST\n%s\n%s\n%s" % (path, stamp, hashlib.sha256(data).hexdigest())
    signature = "v1=" + hmac.new(bytes.fromhex(secret_hex), message.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(intake_url + path, data=data, method="POST", headers={
        "Content-Type": "application/json", "Kiosk-Code": body["kioskCode"], "Kiosk-Timestamp": stamp,
        "Kiosk-Signature": signature, "Idempotency-Key": body["submissionId"]})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())["reference"]


def heartbeat(intake_url, secret_hex, kiosk, body, clock_offset=0, timeout=10):
    """POSTs a signed heartbeat as the kiosk whose clock is `clock_offset`
    seconds off (its sentAt and its signature's timestamp both); returns the
    HTTP status."""
    now = time.time() + clock_offset
    body = dict(body, kioskCode=kiosk, sentAt=int(now * 1000))
    data = json.dumps(body, sort_keys=True).encode()
    stamp = str(int(now))
    path = "/api/v1/kiosks/%s/heartbeat" % kiosk
    message = "POST\n%s\n%s\n%s" % (path, stamp, hashlib.sha256(data).hexdigest())
    signature = "v1=" + hmac.new(bytes.fromhex(secret_hex), message.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(intake_url + path, data=data, method="POST", headers={
        "Content-Type": "application/json", "Kiosk-Code": kiosk, "Kiosk-Timestamp": stamp,
        "Kiosk-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def kiosk_state(printer="ready", reasons=(), roles_down=(), queue=0, oldest=None, oldest_red=None, dead=0,
                interval=2, version="1.0.0"):
    """A heartbeat's body as kioskd's forwarder sends it, for a kiosk in the given state."""
    roles = {name: {"up": name not in roles_down, "state": "exited" if name in roles_down else "running"}
             for name in ("front", "forwarder")}
    now_ms = int(time.time() * 1000)
    health = {"overall": "down" if roles_down else "ok", "problems": [], "roles": roles,
              "printerReasons": list(reasons), "databaseCheck": "ok",
              "diskFreeBytes": 20 << 30, "diskTotalBytes": 32 << 30, "lastForward": now_ms - 60_000}
    if oldest_red is not None:
        health["oldestRedPendingSeconds"] = oldest_red
    body = {"version": version, "queueDepth": queue, "deadCount": dead, "printerState": printer,
            "lastScreenRender": now_ms - 1000, "intervalSeconds": interval, "health": health}
    if oldest is not None:
        body["oldestPendingSeconds"] = oldest
    return body
