#!/usr/bin/env bash
# Knowledge search figures with a large collection. Prints a Markdown block for
# bench/RESULTS.md.
#
#   bash bench/knowledge.sh [ITEMS] [RUNS]   (default 50000 items, 3 runs; medians reported)
#
# - `ponte demo --knowledge N` time (N synthetic published items in EN/FR/PT, every type).
# - From a single client (wrk -t1 -c1), signed in as a reader: GET /api/v1/knowledge with
#   words, with words and facet filters, and with no words at all (facets counted over every
#   published item, the worst case), each answering items, total and all seven facets.
# Loopback only; bounded loops.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-50000}
RUNS=${2:-3}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
pid=
build/ponte init --db "$dir/p.db" >/dev/null 2>&1
demo=$( { /usr/bin/time -f '%e %M' build/ponte demo --db "$dir/p.db" --cases 0 --knowledge "$ITEMS" --password Bench-password-2026x >/dev/null 2>"$dir/demo.err"; } 2>&1; tail -1 "$dir/demo.err")
demo_s=$(echo "$demo" | tail -1 | awk '{print $1}')
size_mb=$(du -m "$dir/p.db" | awk '{print $1}')
port=18097
build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
U=http://127.0.0.1:$port
token=$(curl -s -X POST "$U/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d '{"email":"case.worker.sn@demo.ponte.example","password":"Bench-password-2026x"}' |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: cannot sign in" >&2; exit 1; }
auth="Authorization: Bearer $token"
# The first search after a change rebuilds the in-memory copy search filters on.
cold=$(curl -s -o /dev/null -w '%{time_total}' -H "$auth" "$U/api/v1/knowledge?q=passeurs" | awk '{printf "%.1f", $1 * 1000}')
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # path → "p50 p99 total" in ms, medians of RUNS
	local p50=() p99=()
	curl -s -o /dev/null -H "$auth" "$U$1" # warm: the page cache, not the search copy
	for _ in $(seq 1 "$RUNS"); do
		out=$(wrk -t1 -c1 -d"$DURATION" --latency -H "$auth" "$U$1")
		non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
		[ -z "$non2xx" ] || { echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; }
		ms() { awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
		p50+=($(echo "$out" | ms "50%"))
		p99+=($(echo "$out" | ms "99%"))
	done
	total=$(curl -s -H "$auth" "$U$1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
	echo "$(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median) $total"
}
read -r a50 a99 at < <(measure "/api/v1/knowledge?q=passeurs")
read -r b50 b99 bt < <(measure "/api/v1/knowledge?q=traite%20enfants&type=practice&country=NE")
read -r c50 c99 ct < <(measure "/api/v1/knowledge?q=protection")
read -r r50 r99 rt < <(measure "/api/v1/knowledge?q=synthetic%204242")
read -r d50 d99 dt < <(measure "/api/v1/knowledge")
read -r e50 e99 et < <(measure "/api/v1/knowledge?evidence=evaluated&lang=pt&offset=100")
cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| \`ponte demo --knowledge $ITEMS\` (create, submit, publish each) | /usr/bin/time | $demo_s s, database $size_mb MiB | |
| search one word ($at matches) with 7 facets | \`wrk -t1 -c1 -d$DURATION --latency\` | p50 $a50 ms, p99 $a99 ms | p99 < 50 ms |
| two words + type + country ($bt matches) | same | p50 $b50 ms, p99 $b99 ms | p99 < 50 ms |
| a word in every language ($ct matches) | same | p50 $c50 ms, p99 $c99 ms | p99 < 50 ms |
| a rare word, ranked by bm25 ($rt matches) | same | p50 $r50 ms, p99 $r99 ms | p99 < 50 ms |
| no words: newest first, facets over all ($dt) | same | p50 $d50 ms, p99 $d99 ms | p99 < 50 ms |
| facet filters only, page 6 ($et matches) | same | p50 $e50 ms, p99 $e99 ms | p99 < 50 ms |
| first search after a change (rebuilds the in-memory copy) | \`curl\`, once | $cold ms | |
MD
