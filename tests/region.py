#!/usr/bin/env python3
"""make run-region, tested the way a newcomer uses it (tests/run-all.sh runs it).

Starts scripts/run-region.sh in a fresh directory on free loopback ports and checks: each of the
three installations answers, under its own name, and signs in its own country's accounts only;
the demonstration referrals crossed (accepted and waiting ones, received where they were sent);
a referral made now in Portugal arrives in Niger and Niger's acceptance comes back; SIGTERM
stops the three cleanly (every database checkpointed, every port closed); a second start keeps
the data and makes no referral twice. Every wait is bounded.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "Ponte-demo-Lisboa-2026"
CC = ["PT", "NE", "SN"]


def free_base():
    """Three consecutive free ports on loopback."""
    for base in range(20000 + os.getpid() % 20000, 45000, 7):
        ok = True
        for i in range(3):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", base + i))
            except OSError:
                ok = False
            s.close()
        if ok:
            return base
    sys.exit("no free ports")


BASE = free_base()


def req(cc, method, path, token=None, body=None, expect=200):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request("http://127.0.0.1:%d%s" % (BASE + CC.index(cc), path), data=data,
                               method=method)
    r.add_header("Content-Type", "application/json")
    if token:
        r.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(r, timeout=20) as resp:
            status, text = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if status != expect:
        fail("%s %s %s: %d, expected %d: %s" % (cc, method, path, status, expect, text[:300]))
    return json.loads(text) if text and text.startswith(b"{") else text


def login(cc, role, on=None, expect=200):
    email = "%s.%s@demo.ponte.example" % (role, cc.lower())
    r = req(on or cc, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD},
            expect=expect)
    return r["token"] if expect == 200 else None


proc = None
tmp = tempfile.mkdtemp(prefix="ponte-region-")


def fail(msg):
    print("FAIL: " + msg)
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    for cc in CC:
        log = os.path.join(tmp, cc.lower() + ".log")
        if os.path.exists(log):
            print("--- %s (last lines)" % log)
            print("".join(open(log).readlines()[-5:]))
    sys.exit(1)


def start():
    global proc
    env = dict(os.environ, PONTE_REGION_DIR=tmp, PONTE_REGION_PORT=str(BASE), PONTE_REGION_CASES="5")
    path = os.path.join(tmp, "region.out")
    seen = os.path.getsize(path) if os.path.exists(path) else 0  # a second start appends
    out = open(path, "a")
    proc = subprocess.Popen(["bash", "scripts/run-region.sh"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    while time.time() < deadline:
        if "run-region: ready" in open(path).read()[seen:]:
            return
        if proc.poll() is not None:
            fail("run-region exited with %d before it was ready: %s" %
                 (proc.returncode, open(path).read()[-2000:]))
        time.sleep(0.3)
    fail("run-region was not ready within 240 s")


def stop():
    t0 = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        fail("run-region did not stop within 30 s of SIGTERM")
    if rc != 0:
        fail("run-region stopped with %d" % rc)
    for i, cc in enumerate(CC):
        s = socket.socket()
        s.settimeout(1)
        if s.connect_ex(("127.0.0.1", BASE + i)) == 0:
            fail("%s still answers after the stop" % cc)
        s.close()
        log = open(os.path.join(tmp, cc.lower() + ".log")).read().splitlines()
        last = [json.loads(l) for l in log if l.startswith("{")][-1]
        if last.get("event") != "stopped" or last.get("checkpoint") != "ok":
            fail("%s did not stop cleanly: %s" % (cc, last))
    print("ok - the three stop on SIGTERM within %.1f s, checkpointed" % (time.time() - t0))


def referrals(cc, token):
    return req(cc, "GET", "/api/v1/transnational-referrals", token)["items"]


start()
names = {"PT": "Portugal", "NE": "Niger", "SN": "Senegal"}
focal = {}
for cc in CC:
    if req(cc, "GET", "/healthz") is None:
        fail("%s: no health answer" % cc)
    page = req(cc, "GET", "/login")
    if ("Ponte demonstration (%s)" % names[cc]).encode() not in page:
        fail("%s's sign-in page does not name its installation" % cc)
    focal[cc] = login(cc, "national.focal.point")
    # Another country's account does not exist here.
    other = CC[(CC.index(cc) + 1) % 3]
    login(other, "case.worker", on=cc, expect=401)
    peers = req(cc, "GET", "/api/v1/peers", focal[cc])["items"]
    if sorted(p["country"] for p in peers) != sorted(c for c in CC if c != cc) or \
            any(p["state"] != "active" for p in peers):
        fail("%s's peers: %s" % (cc, peers))
print("ok - three installations answer, each with its own country's accounts and two peers")

sent = [r for r in referrals("PT", focal["PT"]) if r["direction"] == "out"]
got = {r["offer_id"]: r for r in referrals("NE", focal["NE"]) if r["direction"] == "in"}
to_ne = [r for r in sent if r["peer_country"] == "NE"]
if len(to_ne) < 2 or any(r["offer_id"] not in got for r in to_ne):
    fail("Portugal's demonstration offers to Niger did not all arrive: %s" % to_ne)
states = sorted(got[r["offer_id"]]["state"] for r in to_ne)
if "accepted" not in states or "delivered" not in states:
    fail("Niger should hold accepted and waiting referrals from Portugal: %s" % states)
for r in to_ne:  # the sender sees what the receiver did
    if r["state"] != got[r["offer_id"]]["state"]:
        fail("Portugal reads %s where Niger reads %s" % (r["state"], got[r["offer_id"]]["state"]))
print("ok - demonstration referrals crossed: Niger holds %s" % ", ".join(states))

# A referral made now: Portugal offers, Niger receives and accepts, Portugal reads accepted.
worker = login("PT", "case.worker")
case = req("PT", "POST", "/api/v1/cases", worker, {"person": {
    "prs_FirstName": "Test", "prs_SecondName": "Region (demo)", "prs_Gender": "Feminine",
    "prs_Citizenship": ["NE"]}}, expect=201)
consent = req("PT", "POST", "/api/v1/cases/%d/consents" % case["id"], worker, {
    "purpose": "transnational_referral", "categories": ["identity"], "legal_basis": "consent",
    "language": "fr", "text_version": "v1", "given_by": "person", "given_on": "2026-11-20"},
    expect=201)
ne_id = [p for p in req("PT", "GET", "/api/v1/peers", focal["PT"])["items"] if p["country"] == "NE"][0]
offer = req("PT", "POST", "/api/v1/cases/%d/transnational-referrals" % case["id"], focal["PT"],
            {"peer": ne_id["instance_id"], "consent": consent["id"]}, expect=201)
offer_id = req("PT", "GET", "/api/v1/transnational-referrals/%d" % offer["id"], focal["PT"])["offer_id"]
t0 = time.time()
arrived = None
while time.time() < t0 + 30 and not arrived:
    arrived = [r for r in referrals("NE", focal["NE"]) if r["offer_id"] == offer_id and r["state"] == "delivered"]
    time.sleep(0.1)
if not arrived:
    fail("the offer made in Portugal did not arrive in Niger within 30 s")
if arrived[0]["payload"]["person"].get("prs_FirstName") != "Test":
    fail("Niger does not read the person offered: %s" % arrived[0]["payload"])
req("NE", "POST", "/api/v1/transnational-referrals/%d/accept" % arrived[0]["id"], focal["NE"], {})
while time.time() < t0 + 60:
    if req("PT", "GET", "/api/v1/transnational-referrals/%d" % offer["id"], focal["PT"])["state"] == "accepted":
        break
    time.sleep(0.1)
else:
    fail("Niger's acceptance did not reach Portugal within 60 s")
print("ok - an offer made in Portugal arrived in Niger and its acceptance came back in %.1f s" % (time.time() - t0))
count = len(sent) + 1

stop()
start()
sent2 = [r for r in referrals("PT", login("PT", "national.focal.point")) if r["direction"] == "out"]
if len(sent2) != count:
    fail("after a restart Portugal has %d offers sent, expected %d (kept, none made twice)" % (len(sent2), count))
print("ok - a second start keeps the data (%d offers sent from Portugal) and seeds nothing twice" % count)
stop()
subprocess.run(["rm", "-rf", tmp])
print("region: all passed")
