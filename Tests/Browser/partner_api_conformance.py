"""The partner API against its own description (docs/partner-api.yaml).

As api_conformance.py does for the kiosks' API: every request signed as an
enrolled partner's system; valid calls, each property of an answer dropped,
mistyped or joined by an unknown key, seeded random JSON, bodies of the
wrong type or size, broken, stale and replayed signatures, an unknown
referral, and every method a path does not list. Each answer must be one the
description documents (status, content type, body against the schema), and
the documented behaviour must hold: a resent answer id is told, not applied
again; the same id with another body is refused; a replay is refused.

Environment: INTAKE_URL, PARTNER_ID, PARTNER_SECRET, NUMBER (a referral of
that partner's, just requested), SPEC.
Prints "partner api conformance passed: N requests" and exits 0, or lists failures.
"""
import hashlib
import hmac
import json
import os
import random
import sys
import time
import uuid

from conformance import Conformance, mutations, random_json

INTAKE = os.environ["INTAKE_URL"]
PARTNER = os.environ["PARTNER_ID"]
SECRET = os.environ["PARTNER_SECRET"]
NUMBER = os.environ["NUMBER"]
RUN = Conformance(os.environ["SPEC"])
FEED, ANSWERS = "/api/partner/v1/referrals", "/api/partner/v1/referrals/{number}/answers"


def headers(method, path, data, *, partner=PARTNER, secret=SECRET, stamp=None, content_type="application/json",
            signature=None):
    stamp = str(int(time.time()) if stamp is None else stamp)
    nonce = uuid.uuid4().hex
    message = "%s\n%s\n%s\n%s\n%s" % (method, path, nonce, stamp, hashlib.sha256(data).hexdigest())
    return {"Content-Type": content_type, "Partner-Id": partner, "Partner-Timestamp": stamp, "Partner-Nonce": nonce,
            "Partner-Signature": signature or "v1=" + hmac.new(bytes.fromhex(secret), message.encode(),
                                                               hashlib.sha256).hexdigest()}


def get(path, **options):
    return RUN.request(INTAKE, "GET", path, b"", headers("GET", path, b"", **options))


def post(number, body, **options):
    path = ANSWERS.replace("{number}", number)
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    return RUN.request(INTAKE, "POST", path, data, headers("POST", path, data, **options))


def answer_id():
    return "conf-" + uuid.uuid4().hex[:20]


def main():
    check, failures = RUN.check, RUN.failures
    rng = random.Random(20261207)

    # The feed: from the start, then from its cursor; bad queries refused.
    answer = get(FEED + "?after=0")
    check("from the start", FEED, "GET", answer, [200])
    page = json.loads(answer[2]) if answer[0] == 200 else {"referrals": [], "cursor": 0}
    if NUMBER not in [r["number"] for r in page["referrals"]]:
        failures.append("the feed from 0 holds the partner's new referral %s" % NUMBER)
    check("from its cursor", FEED, "GET", get(FEED + "?after=%d&limit=5" % page["cursor"]), [200])
    for query in ["?after=-1", "?limit=0", "?limit=101", "?after=x", "?limit=1.5"]:
        check("query " + query, FEED, "GET", get(FEED + query), [400])

    # Answers: received, then each property of an answer mutated (nothing may be a 5xx).
    check("receive", ANSWERS, "POST", post(NUMBER, {"answerId": answer_id(), "action": "receive"}), [200])
    # "start" cannot apply to a received referral, so no mutation changes it: each is refused, as documented.
    start = {"answerId": answer_id(), "action": "start", "reason": "no_capacity", "note": "x"}
    for what, mutated in mutations(start):
        check("start " + what, ANSWERS, "POST", post(NUMBER, mutated), [400, 409, 422])
    complete = {"answerId": answer_id(), "action": "complete",
                "delivery": {"kind": "material", "what": "食品包", "on": "2026-12-07", "amountCents": 100}}
    check("complete before accepting", ANSWERS, "POST", post(NUMBER, complete), [409])
    for what, wrong in [("kind", "food"), ("on", "7 Dec"), ("what", ""), ("amountCents", -5)]:
        body = dict(complete, answerId=answer_id(), delivery=dict(complete["delivery"], **{what: wrong}))
        check("complete with a bad " + what, ANSWERS, "POST", post(NUMBER, body), [409, 422])
    for index in range(30):
        check("random #%d" % index, ANSWERS, "POST", post(NUMBER, random_json(rng)))
    check("not JSON", ANSWERS, "POST", post(NUMBER, b"\xff\xfe{not json"), [400])
    check("form-encoded", ANSWERS, "POST", post(NUMBER, b"a=1", content_type="application/x-www-form-urlencoded"), [415])
    check("20 KB", ANSWERS, "POST", post(NUMBER, b"[" + b"1," * 10000 + b"1]"), [400, 413])
    check("unknown referral", ANSWERS, "POST", post("C99999999-1", {"answerId": answer_id(), "action": "accept"}), [404])

    # Exactly once: accepted, resent (told, not applied), the id reused for another answer (refused).
    accept = {"answerId": answer_id(), "action": "accept", "unknownKey": 1}
    check("accept (an unknown key ignored)", ANSWERS, "POST", post(NUMBER, accept), [200])
    resent = post(NUMBER, accept)
    check("accept resent", ANSWERS, "POST", resent, [200])
    if resent[0] == 200 and not json.loads(resent[2]).get("repeated"):
        failures.append("a resent answer id is told `repeated`")
    check("the id reused", ANSWERS, "POST", post(NUMBER, dict(accept, action="start")), [409])
    check("accepted twice", ANSWERS, "POST", post(NUMBER, {"answerId": answer_id(), "action": "accept"}), [409])

    # Every method a path does not list: 405 with Allow.
    RUN.unlisted_methods(INTAKE, FEED, FEED)
    RUN.unlisted_methods(INTAKE, ANSWERS, ANSWERS.replace("{number}", NUMBER))

    # Last, the refusals that count against this address's allowance.
    check("unsigned", FEED, "GET", RUN.request(INTAKE, "GET", FEED), [401])
    check("wrong signature", FEED, "GET", get(FEED, signature="v1=" + "0" * 64), [401])
    check("an hour old", FEED, "GET", get(FEED, stamp=int(time.time()) - 3600), [401])
    check("unknown partner", FEED, "GET", get(FEED, partner="nowhere"), [401])
    signed = headers("GET", FEED + "?after=0&limit=1", b"")
    check("signed once", FEED, "GET", RUN.request(INTAKE, "GET", FEED + "?after=0&limit=1", b"", signed), [200])
    check("replayed", FEED, "GET", RUN.request(INTAKE, "GET", FEED + "?after=0&limit=1", b"", signed), [401])

    if not RUN.report("partner api conformance"):
        sys.exit(1)


if __name__ == "__main__":
    main()
