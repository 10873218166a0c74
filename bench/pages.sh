#!/usr/bin/env bash
# Server time of every page a user reaches, per role, on a large database. Prints a Markdown
# block for bench/RESULTS.md.
#
#   bash bench/pages.sh [DB] [N]   (DB: a database made by
#        `ponte init --db DB && ponte demo --db DB --cases 100000 --password Bench-password-2026x`,
#        with its key beside it; default: one of 100,000 cases is made, about 3 minutes;
#        N: requests per page, default 20)
#
# For each demo role of Niger: sign in through the form, then walk the site from the start page as a
# user does, following every link inside the site (GET, one address per route: /cases/17 and
# /cases/18 are one page), and ask each page reached N times in a row. The time is the
# server's own (duration_ms of the request log: from the request's arrival to the last byte
# handed to the socket), so the client's cost is not counted. Pages of the route table that no
# walk reached are listed. The database is copied first: serving migrates and writes audit
# events. Loopback only; bounded loops (at most 120 pages per role).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-}
N=${2:-20}
PW=Bench-password-2026x
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
if [ -z "$SRC" ]; then
	build/ponte init --db "$dir/p.db" >/dev/null 2>&1
	build/ponte demo --db "$dir/p.db" --cases 100000 --password "$PW" >/dev/null 2>&1
else
	cp "$SRC" "$dir/p.db"
	cp "$SRC.key" "$dir/p.db.key"
	[ ! -d "$SRC.files" ] || cp -r "$SRC.files" "$dir/p.db.files"
fi
cases=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM cases")
port=18119
load0=$(cut -d' ' -f1-3 /proc/loadavg)
build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
grep -oE '\{ HTTP_GET, "[^"]+"' src/app/routes.c | sed 's/.*"\(.*\)"/\1/' |
	grep -vE '^/(api|healthz|metrics|static|fed)/?' >"$dir/routes"
python3 - "$port" "$N" "$PW" "$dir" <<'PY'
import http.client, json, re, statistics, sys, urllib.parse
port, n, pw, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
# The demo's users of Niger (a country with cases, referrals and a focal point), and the
# regional analyst; `ponte demo --cases` makes them with the bench's password.
roles = ["case.worker.ne", "supervisor.ne", "shelter.supervisor.ne", "national.focal.point.ne",
         "police.investigator.ne", "prosecutor.ne", "observatory.analyst.ne", "auditor.ne",
         "knowledge.reviewer.ne", "data.provider.ne", "administrator.ne", "regional.analyst"]
routes = [r.strip() for r in open(d + "/routes") if r.strip()]
def pattern(path):
    """The route table's pattern a path matches, or None."""
    segs = path.split("/")
    for r in routes:
        rs = r.split("/")
        if len(rs) == len(segs) and all(a.startswith("{") or a == b for a, b in zip(rs, segs)):
            return r
    return None
def log_lines():
    with open(d + "/log") as f:
        return f.readlines()
SKIP = re.compile(r"^/(logout|static/|api/|healthz|metrics)|/withdraw$")
results = {}   # route -> {role: (p50, p99, status)}
reached = set()
for role in roles:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode({"email": role + "@demo.ponte.example", "password": pw})
    c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse(); r.read()
    m = re.search(r"ponte_session=([^;]+)", r.getheader("Set-Cookie") or "")
    if not m:
        print("bench: %s cannot sign in (%d)" % (role, r.status), file=sys.stderr)
        continue
    h = {"Cookie": "ponte_session=" + m.group(1)}
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < 120:
        url = queue.pop(0)
        path = url.split("?")[0]
        pat = pattern(path)
        if pat is None or pat in seen or SKIP.search(path):
            continue
        seen.add(pat)
        c.request("GET", url, headers=h)
        r = c.getresponse(); html = r.read()
        if r.status != 200:
            continue
        pages.append((pat, url))
        if "html" in (r.getheader("Content-Type") or ""):
            for link in re.findall(r'href="(/[^"#]*)"', html.decode("utf-8", "replace")):
                link = link.replace("&amp;", "&")
                if pattern(link.split("?")[0]) not in seen:
                    queue.append(link)
    for pat, url in pages:
        before = len(log_lines())
        for _ in range(n):
            c.request("GET", url, headers=h)
            r = c.getresponse(); r.read()
        times = []
        for line in log_lines()[before:]:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") == "request" and e.get("method") == "GET":
                times.append(float(e["duration_ms"]))
        times.sort()
        if not times:
            continue
        p50 = times[len(times) // 2]
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        results.setdefault(pat, {})[role] = (p50, p99)
        reached.add(pat)
    c.close()
if not results:
    sys.exit("bench: no role signed in")
worst = max((v[1], pat, role) for pat, by in results.items() for role, v in by.items())
print("| page (route) | roles that reach it | p50 ms (median over roles) | p99 ms (worst role) | target |")
print("|---|---|---|---|---|")
for pat in sorted(results, key=lambda p: -max(v[1] for v in results[p].values())):
    by = results[pat]
    p50 = statistics.median(v[0] for v in by.values())
    p99, who = max((v[1], role) for role, v in by.items())
    flag = "" if p99 < 200 else " **missed**"
    print("| `%s` | %d | %.1f | %.1f (%s)%s | p99 < 200 ms |" % (pat, len(by), p50, p99, who, flag))
missing = [r for r in routes if r not in reached]
print()
print("Worst: `%s` for %s, p99 %.1f ms. Routes no role's walk reached (forms reached by a "
      "button, admin pages, downloads of one record): %s." % (worst[1], worst[2], worst[0],
      ", ".join("`%s`" % r for r in missing) or "none"))
PY
echo
echo "$cases cases; $N requests per page and role; load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after."
