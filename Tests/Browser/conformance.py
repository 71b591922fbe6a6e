"""What both API conformance runs share: requests over loopback, and the
check that an answer is one its OpenAPI description documents (status,
content type, body against the schema; 405 with Allow for a method a path
lacks; 429 with Retry-After), plus generators of mutated and random JSON.

Used by api_conformance.py (the kiosks' intake API) and
partner_api_conformance.py (the partner API)."""
import json
import urllib.error
import urllib.request

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


class Conformance:
    def __init__(self, spec_path):
        self.spec = yaml.safe_load(open(spec_path, encoding="utf-8"))
        validate_spec(self.spec)  # the description itself is valid OpenAPI 3.1 first
        self.registry = Registry().with_resource(
            "urn:spec", Resource.from_contents(self.spec, default_specification=DRAFT202012))
        self.failures = []
        self.sent = 0

    @staticmethod
    def pointer(*parts):
        return "urn:spec#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)

    def resolve(self, node):
        """A `$ref` to components/responses, followed (schemas are left to the validator)."""
        while isinstance(node, dict) and "$ref" in node:
            target = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def request(self, base, method, path, body=b"", headers=None):
        self.sent += 1
        req = urllib.request.Request(base + path, data=body if method not in ("GET", "HEAD") else None,
                                     method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=15) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def check(self, what, spec_path, method, answer, expect=None):
        """The answer conforms to the operation `spec.paths[spec_path][method]`."""
        failures = self.failures
        status, headers, body = answer
        headers = {k.lower(): v for k, v in headers.items()}
        label = "%s %s %s -> %d" % (method, spec_path, what, status)
        if status >= 500:
            failures.append(label + ": a server error")
            return
        if expect is not None and status not in expect:
            failures.append("%s: expected %s (%s)" % (label, expect, body[:200]))
        operation = self.spec["paths"][spec_path].get(method.lower())
        if operation is None or status == 405:
            if status != 405 or "allow" not in headers:
                failures.append(label + ": a method the path lacks is 405 with Allow")
            return
        responses = operation["responses"]
        if str(status) not in responses:
            failures.append(label + ": status not documented (%s)" % body[:200])
            return
        response = self.resolve(responses[str(status)])
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
        schema_ref = self.pointer("paths", spec_path, method.lower(), "responses", str(status), "content",
                                  content_type, "schema")
        if "$ref" in responses[str(status)]:
            name = responses[str(status)]["$ref"].split("/")[-1]
            schema_ref = self.pointer("components", "responses", name, "content", content_type, "schema")
        validator = Draft202012Validator({"$ref": schema_ref}, registry=self.registry)
        for error in validator.iter_errors(instance):
            failures.append("%s: %s at %s" % (label, error.message, list(error.absolute_path)))

    def unlisted_methods(self, base, spec_path, path):
        """Every method the path does not list: 405 with Allow."""
        for method in METHODS:
            if method.lower() in self.spec["paths"][spec_path] or (method == "HEAD" and "get" in self.spec["paths"][spec_path]):
                continue
            self.check(method, spec_path, method, self.request(base, method, path, b""), [405])

    def report(self, name):
        """Prints the verdict; True when every answer conformed."""
        if self.failures:
            print("%d of %d answers do not conform:" % (len(self.failures), self.sent))
            for failure in self.failures[:60]:
                print("  " + failure)
            return False
        print("%s passed: %d requests" % (name, self.sent))
        return True


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
