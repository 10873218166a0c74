#!/usr/bin/env bash
# Case file figures with a large database. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/cases.sh [CASES] [RUNS]     (default 100000 cases, 3 runs; medians reported)
#
# - `ponte demo --cases N` time and peak memory.
# - From a single client (wrk -t1 -c1), signed in as a supervisor (organisation scope): the
#   filtered, paginated case list and a case page (finding a person by name: bench/names.sh).
#   Every one of these requests also appends its audit event (a write to the database).
# Loopback only; bounded loops.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-100000}
RUNS=${2:-3}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
pid=
build/ponte init --db "$dir/p.db" >/dev/null 2>&1
demo=$( { /usr/bin/time -f '%e %M' build/ponte demo --db "$dir/p.db" --cases "$CASES" --password Bench-password-2026x >/dev/null 2>"$dir/demo.err"; } 2>&1; tail -1 "$dir/demo.err")
demo_s=$(echo "$demo" | tail -1 | awk '{print $1}')
demo_mb=$(echo "$demo" | tail -1 | awk '{printf "%.0f", $2 / 1024}')
port=18096
build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
U=http://127.0.0.1:$port
curl -s -c "$dir/jar" -o /dev/null -X POST "$U/login" -d 'email=supervisor.ne%40demo.ponte.example&password=Bench-password-2026x'
cookie="Cookie: ponte_session=$(awk '/ponte_session/ {print $7}' "$dir/jar")"
id=$(sqlite3 "$dir/p.db" "SELECT id FROM cases WHERE organisation_id = (SELECT id FROM organisations WHERE code = 'NE-NGO') LIMIT 1 OFFSET 500")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # path → "p50 p99" in ms, medians of RUNS
	local p50=() p99=()
	for _ in $(seq 1 "$RUNS"); do
		out=$(wrk -t1 -c1 -d"$DURATION" --latency -H "$cookie" "$U$1")
		non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
		[ -z "$non2xx" ] || { echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; }
		ms() { awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
		p50+=($(echo "$out" | ms "50%"))
		p99+=($(echo "$out" | ms "99%"))
	done
	echo "$(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median)"
}
read -r l50 l99 < <(measure "/cases?status=Active&phase=protection&page=3")
read -r c50 c99 < <(measure "/cases/$id")
cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| \`ponte demo --cases $CASES\` | /usr/bin/time | $demo_s s, peak $demo_mb MiB | handles 100,000 |
| case list, filtered (status, phase), page 3, organisation scope | \`wrk -t1 -c1 -d$DURATION --latency\` | p50 $l50 ms, p99 $l99 ms | p99 < 50 ms |
| case page | same | p50 $c50 ms, p99 $c99 ms | p99 < 50 ms |
MD
