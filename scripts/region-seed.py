#!/usr/bin/env python3
"""Demonstration referrals across borders for `make run-region` (scripts/run-region.sh).

Run once the installations answer. Each referral is made the way a focal point makes one,
over the API of the sending country: a case worker registers the person with a
transnational-referral consent, the national focal point offers the case to the other
country's installation, and (for some) the receiving focal point accepts it once it has
arrived. Others are left waiting for an answer, so that a newcomer can accept one in the
receiving country's tab and watch the answer reach the sender.

Usage: region-seed.py BASE_PORT        (Portugal BASE, Niger BASE+1, Senegal BASE+2)

Idempotent: an installation that has sent offers already is not seeded again. Every wait is
bounded; exits non-zero with a reason when something does not happen in time.
"""
import json
import sys
import time
import urllib.error
import urllib.request

PASSWORD = "Ponte-demo-Lisboa-2026"
COUNTRIES = ["PT", "NE", "SN"]

# (from, to, first name, family name, gender, birth date, accept at the receiver)
REFERRALS = [
    ("PT", "NE", "Hadiza", "Garba (demo)", "Feminine", "1999-03-14", True),
    ("PT", "NE", "Moussa", "Hama (demo)", "Masculine", "1994-11-02", False),
    ("PT", "NE", "Rakia", "Seydou (demo)", "Feminine", "2010-06-21", False),
    ("PT", "SN", "Awa", "Diop (demo)", "Feminine", "2001-08-30", True),
    ("PT", "SN", "Cheikh", "Ndiaye (demo)", "Masculine", "1997-01-09", False),
    ("NE", "SN", "Ibrahima", "Fall (demo)", "Masculine", "2011-02-17", False),
    ("SN", "NE", "Fati", "Issoufou (demo)", "Feminine", "2004-05-05", True),
]


def url(cc, path):
    return "http://127.0.0.1:%d%s" % (PORT + COUNTRIES.index(cc), path)


def call(cc, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url(cc, path), data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit("region: %s %s %s answered %d: %s" % (cc, method, path, e.code, e.read()[:300]))


def login(cc, role):
    email = "%s.%s@demo.ponte.example" % (role, cc.lower())
    return call(cc, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})["token"]


def instance_id(cc, fp_token, peer_cc):
    for p in call(cc, "GET", "/api/v1/peers", fp_token)["items"]:
        if p["country"] == peer_cc:
            return p["instance_id"]
    sys.exit("region: %s does not know %s as a peer" % (cc, peer_cc))


def main():
    workers = {cc: login(cc, "case.worker") for cc in COUNTRIES}
    focal = {cc: login(cc, "national.focal.point") for cc in COUNTRIES}
    sent = [r for r in call("PT", "GET", "/api/v1/transnational-referrals", focal["PT"])["items"]
            if r["direction"] == "out"]
    if sent:
        print("region: demonstration referrals are there already (%d sent from Portugal)" % len(sent))
        return
    waiting = []  # (receiver, offer id, accept)
    for frm, to, first, family, gender, born, accept in REFERRALS:
        case = call(frm, "POST", "/api/v1/cases", workers[frm], {"person": {
            "prs_FirstName": first, "prs_SecondName": family, "prs_Gender": gender,
            "prs_Birthdate": born, "prs_Citizenship": [to]}})
        consent = call(frm, "POST", "/api/v1/cases/%d/consents" % case["id"], workers[frm], {
            "purpose": "transnational_referral", "categories": ["identity", "victim"],
            "legal_basis": "consent", "language": "fr", "text_version": "v1",
            "given_by": "person", "given_on": "2026-11-20"})
        offer = call(frm, "POST", "/api/v1/cases/%d/transnational-referrals" % case["id"],
                     focal[frm], {"peer": instance_id(frm, focal[frm], to), "consent": consent["id"]})
        ref = call(frm, "GET", "/api/v1/transnational-referrals/%d" % offer["id"], focal[frm])
        waiting.append((to, ref["offer_id"], accept))
    # Each offer arrives within a second or two; the receiving focal point accepts some.
    deadline = time.time() + 60
    while waiting and time.time() < deadline:
        for item in list(waiting):
            to, offer_id, accept = item
            for r in call(to, "GET", "/api/v1/transnational-referrals", focal[to])["items"]:
                if r["direction"] == "in" and r["offer_id"] == offer_id and r["state"] == "delivered":
                    if accept:
                        call(to, "POST", "/api/v1/transnational-referrals/%d/accept" % r["id"],
                             focal[to], {})
                    waiting.remove(item)
        if waiting:
            time.sleep(0.3)
    if waiting:
        sys.exit("region: %d offers did not arrive within a minute" % len(waiting))
    print("region: %d demonstration referrals across borders (%d accepted, the others waiting "
          "for an answer)" % (len(REFERRALS), sum(1 for r in REFERRALS if r[6])))


if __name__ == "__main__":
    PORT = int(sys.argv[1])
    main()
