#!/usr/bin/env bash
# Reads that scale (issue 17): Ponte's audited reads side by side with a raw server, in one
# run on one machine. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/reads.sh [CASES] [RUNS]     (default 100000 cases, 3 runs; medians reported)
#
# - raw: bench/raw_server.c (libmicrohttpd epoll thread pool, a random row of a 10,000-row
#   SQLite table as JSON, no sessions), 2 threads like Ponte.
# - GET /api/v1/users/me with a bearer token (target >= 0.5x raw).
# - GET /api/v1/cases/{id} with a bearer token, each read audited (target >= 0.3x raw, p99 <
#   25 ms).
# - the case list page, filtered, page 3, organisation scope (target p99 < 50 ms).
# Every measurement is wrk -t2 -c64 -d$DURATION --timeout 30s; within a run the raw server and Ponte are
# measured one after the other, so each ratio compares figures taken minutes apart at most.
# Loopback only; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-100000}
RUNS=${2:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
make --no-print-directory build >/dev/null
mkdir -p build/bench
cc -O2 -Wall -Wextra -o build/bench/raw_server bench/raw_server.c \
	$(pkg-config --cflags --libs libmicrohttpd sqlite3)
dir=$(mktemp -d)
pid= raw=
trap 'kill $pid $raw 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
PW=Bench-password-2026x
if [ -n "${READS_DB:-}" ]; then # a database made earlier by this script's two commands
	cp "$READS_DB" "$dir/p.db"
	cp "$READS_DB.key" "$dir/p.db.key"
	cp -r "$READS_DB.files" "$dir/p.db.files"
	build/ponte migrate --db "$dir/p.db" >/dev/null
else
	build/ponte init --db "$dir/p.db" >/dev/null 2>&1
	build/ponte demo --db "$dir/p.db" --cases "$CASES" --password "$PW" >/dev/null 2>&1
fi
rport=18071 port=18072
build/bench/raw_server "$dir/raw.db" $rport 2 &
raw=$!
build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do
	curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 &&
		curl -fs "http://127.0.0.1:$rport/" >/dev/null 2>&1 && break
	sleep 0.02
done
U=http://127.0.0.1:$port
token=$(curl -s -X POST "$U/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"supervisor.ne@demo.ponte.example\",\"password\":\"$PW\"}" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: login refused" >&2; exit 1; }
curl -s -c "$dir/jar" -o /dev/null -X POST "$U/login" \
	-d "email=supervisor.ne%40demo.ponte.example&password=$PW"
cookie="Cookie: ponte_session=$(awk '/ponte_session/ {print $7}' "$dir/jar")"
id=$(sqlite3 "$dir/p.db" "SELECT id FROM cases WHERE organisation_id = (SELECT id FROM \
organisations WHERE code = 'NE-NGO') LIMIT 1 OFFSET 500")
curl -fs -o /dev/null -H "Authorization: Bearer $token" "$U/api/v1/cases/$id" ||
	{ echo "bench: case $id is not readable" >&2; exit 1; }
events0=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM audit_events WHERE action = 'case.read'")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wrk ARGS... -> "req/s p99_ms"; any non-2xx or socket error fails the bench.
load() {
	local out
	out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 30s --latency "$@")
	if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then
		echo "bench: errors in $*:" >&2
		echo "$out" | grep -E 'Non-2xx|Socket errors' >&2
		exit 1
	fi
	echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')"
}
declare -a raw_r me_r me_p case_r case_p list_r list_p me_x case_x
for _ in $(seq 1 "$RUNS"); do
	read -r r _ < <(load "http://127.0.0.1:$rport/")
	read -r a b < <(load -H "Authorization: Bearer $token" "$U/api/v1/users/me")
	read -r c d < <(load -H "Authorization: Bearer $token" "$U/api/v1/cases/$id")
	read -r e f < <(load -H "$cookie" "$U/cases?status=Active&phase=protection&page=3")
	raw_r+=("$r") me_r+=("$a") me_p+=("$b") case_r+=("$c") case_p+=("$d")
	list_r+=("$e") list_p+=("$f")
	me_x+=("$(awk -v a="$a" -v r="$r" 'BEGIN {printf "%.2f", a / r}')")
	case_x+=("$(awk -v a="$c" -v r="$r" 'BEGIN {printf "%.2f", a / r}')")
done
m() { printf '%s\n' "$@" | median; }
# Every case read is in the trail (the server flushes its queue when it stops).
kill -TERM $pid
wait $pid || true
pid=
events=$(( $(sqlite3 "$dir/p.db" "SELECT count(*) FROM audit_events WHERE action = 'case.read'") - events0 ))
build/ponte audit verify --db "$dir/p.db" >"$dir/verify" 2>&1 || { cat "$dir/verify" >&2; exit 1; }
cat <<MD
| what | command | median of $RUNS | ratio to raw (median of per-run ratios) | target |
|---|---|---|---|---|
| raw: libmicrohttpd + SQLite random row as JSON (bench/raw_server.c) | \`wrk -t2 -c$CONNS -d$DURATION --latency\` | $(m "${raw_r[@]}") req/s | 1 | |
| GET /api/v1/users/me, bearer token | same | $(m "${me_r[@]}") req/s, p99 $(m "${me_p[@]}") ms | $(m "${me_x[@]}")x | >= 0.5x |
| GET /api/v1/cases/{id}, bearer token, audited | same | $(m "${case_r[@]}") req/s, p99 $(m "${case_p[@]}") ms | $(m "${case_x[@]}")x | >= 0.3x, p99 < 25 ms |
| case list page, filtered, page 3, organisation scope, $CASES cases | same | $(m "${list_r[@]}") req/s, p99 $(m "${list_p[@]}") ms | | p99 < 50 ms |

Audit: $events \`case.read\` events written for the case reads of the run; \`ponte audit verify\`: $(cat "$dir/verify")
MD
