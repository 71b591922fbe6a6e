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
import urllib.error
import urllib.request
import uuid

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import kiosk_wire

INTAKE = os.environ["INTAKE_URL"]
CONSOLE = os.environ["CONSOLE_URL"]
KIOSK = os.environ["KIOSK_CODE"]
SECRET = os.environ["KIOSK_SECRET"]
SPEC = yaml.safe_load(open(os.environ["SPEC"], encoding="utf-8"))
REGISTRY = Registry().with_resource("urn:spec", Resource.from_contents(SPEC, default_specification=DRAFT202012))
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
failures = []
sent = 0


def pointer(*parts):
    return "urn:spec#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(node):
    """A `$ref` to components/responses, followed (schemas are left to the validator)."""
    while isinstance(node, dict) and "$ref" in node:
        target = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def request(base, method, path, body=b"", headers=None):
    global sent
    sent += 1
    req = urllib.request.Request(base + path, data=body if method not in ("GET", "HEAD") else None,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


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


def check(what, spec_path, method, answer, expect=None):
    """The answer conforms to the operation `SPEC.paths[spec_path][method]`."""
    status, headers, body = answer
    headers = {k.lower(): v for k, v in headers.items()}
    label = "%s %s %s -> %d" % (method, spec_path, what, status)
    if status >= 500:
        failures.append(label + ": a server error")
        return
    if expect is not None and status not in expect:
        failures.append("%s: expected %s (%s)" % (label, expect, body[:200]))
    operation = SPEC["paths"][spec_path].get(method.lower())
    if operation is None or status == 405:
        if status != 405 or "allow" not in headers:
            failures.append(label + ": a method the path lacks is 405 with Allow")
        return
    responses = operation["responses"]
    if str(status) not in responses:
        failures.append(label + ": status not documented (%s)" % body[:200])
        return
    response = resolve(responses[str(status)])
    if status == 429 and "retry-after" not in headers:
        failures.append(label + ": 429 without Retry-After")
    content = response.get("content")
    if not content:
        return
    content_type = headers.get("content-type", "").split(";")[0].strip()
    if content_type not in content:
        failures.append("%s: content type %r, documented %s" % (label, content_type, list(content)))
        return
    if not content_type.endswith("json"):
        return
    try:
        instance = json.loads(body)
    except ValueError:
        failures.append(label + ": body is not JSON")
        return
    schema_ref = pointer("paths", spec_path, method.lower(), "responses", str(status), "content", content_type, "schema")
    if "$ref" in responses[str(status)]:
        name = responses[str(status)]["$ref"].split("/")[-1]
        schema_ref = pointer("components", "responses", name, "content", content_type, "schema")
    validator = Draft202012Validator({"$ref": schema_ref}, registry=REGISTRY)
    for error in validator.iter_errors(instance):
        failures.append("%s: %s at %s" % (label, error.message, list(error.absolute_path)))


def random_json(rng, depth=0):
    kinds = ["null", "bool", "int", "float", "string", "list", "object"] if depth < 3 else ["int", "string", "null"]
    kind = rng.choice(kinds)
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice([0, -1, 1, 2 ** 31, -(2 ** 63), 10 ** 30, rng.randint(-1000, 1000)])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e-9])
    if kind == "string":
        return rng.choice(["", "x", "JA0301", "\u0000", "𝄞" * 50, "<script>", "' OR 1=1 --", "9" * 400,
                           "JA0301-261129-0042-2"])
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["a", "kioskCode", "after", "limit", "submissions", "x"]): random_json(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def mutations(body):
    """Each property dropped, mistyped, and an unknown one added."""
    for key in sorted(body):
        dropped = dict(body)
        del dropped[key]
        yield "without %s" % key, dropped
        for wrong in [None, -1, "x", [], {}, True, "𝄞" * 600]:
            if type(wrong) is type(body[key]) and wrong == body[key]:
                continue
            mistyped = dict(body)
            mistyped[key] = wrong
            yield "%s=%s" % (key, json.dumps(wrong, ensure_ascii=False)[:20]), mistyped
    extra = dict(body)
    extra["unknownKey"] = 1
    yield "with an unknown key", extra


def submission_body():
    number = kiosk_wire.receipt_number(KIOSK, time.strftime("%y%m%d"), random.randint(1, 9999))
    return kiosk_wire.submission(KIOSK, number, "yellow", "欧阳明华")


def main():
    validate_spec(SPEC)  # the description itself is valid OpenAPI 3.1 first
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
        for method in METHODS:
            if method.lower() in SPEC["paths"][spec_path] or (method == "HEAD" and "get" in SPEC["paths"][spec_path]):
                continue
            check(method, spec_path, method, request(INTAKE, method, path, b""), [405])

    # Last, the refusals that count against this address's allowance.
    check("unsigned", progress, "POST", request(INTAKE, "POST", progress_path, json.dumps(query).encode(),
                                                  {"Content-Type": "application/json"}), [401])
    check("wrong signature", progress, "POST", signed(progress_path, query, signature="v1=" + "0" * 64), [401])
    check("an hour old", progress, "POST", signed(progress_path, query, stamp=int(time.time()) - 3600), [401])
    check("unknown kiosk", progress, "POST", signed(progress_path, query, code="ZZ9999"), [401])
    check("another kiosk's path", progress, "POST",
          signed(progress.replace("{code}", "ZZ9999"), dict(query, kioskCode="ZZ9999")), [400, 401])

    if failures:
        print("%d of %d answers do not conform:" % (len(failures), sent))
        for failure in failures[:60]:
            print("  " + failure)
        sys.exit(1)
    print("api conformance passed: %d requests" % sent)


if __name__ == "__main__":
    main()
