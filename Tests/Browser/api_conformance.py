"""The centre's intake API against its own description (docs/intake-api.yaml).

A generator in the manner of schemathesis, with what schemathesis cannot do
here: every request it sends is signed as an enrolled kiosk (most would
otherwise stop at 401). For each operation it sends valid requests, then each
property dropped, mistyped or joined by an unknown one, seeded random JSON,
bodies of the wrong type or size, broken signatures, and every method the
path does not list. Each answer must be:

  - never a 5xx;
  - a status the operation documents (405 with Allow for a method it lacks);
  - of the documented content type, and its body valid against the documented
    schema (additionalProperties: false included);
  - 429 with Retry-After.

The description itself must first pass openapi-spec-validator.

Environment: INTAKE_URL, CONSOLE_URL, KIOSK_CODE, KIOSK_SECRET, SPEC.
Prints "api conformance passed: N requests" and exits 0, or lists failures.
"""
import hashlib
import hmac
import json
import os
import random
import sys
import time
import uuid

import kiosk_wire
from conformance import Conformance, mutations, random_json

INTAKE = os.environ["INTAKE_URL"]
CONSOLE = os.environ["CONSOLE_URL"]
KIOSK = os.environ["KIOSK_CODE"]
SECRET = os.environ["KIOSK_SECRET"]
RUN = Conformance(os.environ["SPEC"])
request, check, failures = RUN.request, RUN.check, RUN.failures


def signed(path, body, *, code=KIOSK, secret=SECRET, stamp=None, content_type="application/json",
           idempotency=None, signature=None):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    message = "POST\n%s\n%s\n%s" % (path, stamp, hashlib.sha256(data).hexdigest())
    headers = {"Content-Type": content_type, "Kiosk-Code": code, "Kiosk-Timestamp": stamp,
               "Kiosk-Signature": signature or "v1=" + hmac.new(bytes.fromhex(secret), message.encode(),
                                                                hashlib.sha256).hexdigest()}
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    return request(INTAKE, "POST", path, data, headers)


def submission_body():
    number = kiosk_wire.receipt_number(KIOSK, time.strftime("%y%m%d"), random.randint(1, 9999))
    return kiosk_wire.submission(KIOSK, number, "yellow", "欧阳明华")


def main():
    rng = random.Random(20261130)
    submissions, batch = "/api/v1/submissions", "/api/v1/submissions/batch"
    heartbeat, progress = "/api/v1/kiosks/{code}/heartbeat", "/api/v1/kiosks/{code}/progress"
    heartbeat_path, progress_path = heartbeat.replace("{code}", KIOSK), progress.replace("{code}", KIOSK)

    # Valid requests first: the documented successes.
    body = submission_body()
    check("new", submissions, "POST", signed(submissions, body, idempotency=body["submissionId"]), [201])
    check("resend", submissions, "POST", signed(submissions, body, idempotency=body["submissionId"]), [200])
    clash = dict(body, description="另一个请求")
    check("same id, other body", submissions, "POST",
          signed(submissions, clash, idempotency=body["submissionId"]), [409])
    beat = {"kioskCode": KIOSK, "sentAt": int(time.time() * 1000), "version": "conformance", "queueDepth": 0,
            "deadCount": 0}
    stamp = int(time.time())
    check("heartbeat", heartbeat, "POST", signed(heartbeat_path, beat, stamp=stamp), [204])
    check("heartbeat replayed", heartbeat, "POST", signed(heartbeat_path, beat, stamp=stamp), [409])
    query = {"kioskCode": KIOSK, "after": 0, "limit": 10}
    check("progress", progress, "POST", signed(progress_path, query), [200])
    for path in ["/health"]:
        check("health", path, "GET", request(INTAKE, "GET", path), [200])
        check("health on the console", path, "GET", request(CONSOLE, "GET", path), [200])
        status = request(INTAKE, "HEAD", path)[0]
        if status != 200:
            failures.append("HEAD /health -> %d: a load balancer's check gets the GET's status" % status)
    status, headers, text = request(CONSOLE, "GET", "/metrics")
    if status != 200 or not headers.get("Content-Type", "").startswith("text/plain"):
        failures.append("GET /metrics on the console -> %d %s" % (status, headers.get("Content-Type")))
    if request(INTAKE, "GET", "/metrics")[0] != 404:
        failures.append("GET /metrics on the kiosks' API must not exist")

    # Every property of each body dropped, mistyped, joined by an unknown key.
    for what, mutated in mutations(submission_body()):
        check(what, submissions, "POST", signed(submissions, mutated, idempotency=str(uuid.uuid4())))
    for what, mutated in mutations(beat):
        check(what, heartbeat, "POST", signed(heartbeat_path, dict(mutated, sentAt=mutated.get("sentAt", 0))))
    for what, mutated in mutations(query):
        check(what, progress, "POST", signed(progress_path, mutated))
    for what, items in [("empty", []), ("a plain item", [submission_body()]), ("65 items", [{}] * 65),
                        ("not a list", "x")]:
        check("batch " + what, batch, "POST", signed(batch, {"submissions": items}), [400])

    # Seeded random JSON, signed: never a 5xx, always documented.
    for spec_path, path in [(submissions, submissions), (batch, batch), (heartbeat, heartbeat_path),
                            (progress, progress_path)]:
        for index in range(40):
            value = random_json(rng)
            check("random #%d" % index, spec_path, "POST",
                  signed(path, value, idempotency=str(uuid.uuid4()) if path == submissions else None))
        check("not JSON", spec_path, "POST", signed(path, b"\xff\xfe{not json", idempotency=str(uuid.uuid4())))
        check("form-encoded", spec_path, "POST", signed(path, b"a=1", content_type="application/x-www-form-urlencoded"),
              [415])
        check("70 KB", spec_path, "POST", signed(path, b"[" + b"1," * 35000 + b"1]"), [400, 413])

    # Every method a path does not list: 405 with Allow.
    for spec_path, path in [(submissions, submissions), (batch, batch), (heartbeat, heartbeat_path),
                            (progress, progress_path), ("/health", "/health")]:
        RUN.unlisted_methods(INTAKE, spec_path, path)

    # Last, the refusals that count against this address's allowance.
    check("unsigned", progress, "POST", request(INTAKE, "POST", progress_path, json.dumps(query).encode(),
                                                  {"Content-Type": "application/json"}), [401])
    check("wrong signature", progress, "POST", signed(progress_path, query, signature="v1=" + "0" * 64), [401])
    check("an hour old", progress, "POST", signed(progress_path, query, stamp=int(time.time()) - 3600), [401])
    check("unknown kiosk", progress, "POST", signed(progress_path, query, code="ZZ9999"), [401])
    check("another kiosk's path", progress, "POST",
          signed(progress.replace("{code}", "ZZ9999"), dict(query, kioskCode="ZZ9999")), [400, 401])

    if not RUN.report("api conformance"):
        sys.exit(1)


if __name__ == "__main__":
    main()
