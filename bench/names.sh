#!/usr/bin/env bash
# Finding a person by name with a large database (issues #18, #19). Prints a Markdown block for
# bench/RESULTS.md.
#
#   bash bench/names.sh [CASES] [RUNS]   (default 100000 cases, 3 runs; medians reported)
#   NAMES_DB=path bash bench/names.sh    (an existing `ponte demo` database, copied first)
#   PONTE_BIN=path bash bench/names.sh   (another build of ponte; default build/ponte, made)
#
# - Latency of POST /api/v1/cases/search from a single client (wrk -t1 -c1), for a full name,
#   a name spelled another way, a name typed in part and a name in Arabic script, as a
#   supervisor of the Niger NGO (organisation scope) and Niger's national focal point (country
#   scope). Every search also appends its audit event (a write).
# - What the name keys show to someone who holds the database but not its key: how many keys
#   and distinct key values of each kind, how often the most frequent values occur, how many
#   cases share their whole set of keys with another case (docs/security.md).
# The demo's names come from 6 first names per sex and 8 family names per country, far fewer
# than real registers hold: every key value is shared by many cases, the worst case both for
# the search's speed and for what frequencies reveal. Loopback only; bounded loops.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-100000}
RUNS=${2:-3}
DURATION=${DURATION:-10s}
PW=Bench-password-2026x
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
BIN=${PONTE_BIN:-build/ponte}
[ -n "${PONTE_BIN:-}" ] || make --no-print-directory build >/dev/null
dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
if [ -n "${NAMES_DB:-}" ]; then
	cp "$NAMES_DB" "$dir/p.db"
	cp "$NAMES_DB.key" "$dir/p.db.key"
	CASES=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM cases")
else
	"$BIN" init --db "$dir/p.db" >/dev/null 2>&1
	"$BIN" demo --db "$dir/p.db" --cases "$CASES" --password "$PW" >/dev/null 2>&1
fi
# The focal point signs in without a second factor here (a copy made for measuring).
sqlite3 "$dir/p.db" "UPDATE settings SET value = '0' WHERE key = 'require_2fa_for_flagged_roles'"
port=18097
"$BIN" serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 1500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
U=http://127.0.0.1:$port
token() { # email → bearer token
	curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"$PW\"}" "$U/api/v1/auth/login" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # token name → "p50 p99 found" (ms, medians of RUNS)
	local p50=() p99=() found
	printf 'wrk.method = "POST"\nwrk.body = [[{"name":"%s"}]]\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\n' \
		"$2" "$1" >"$dir/post.lua"
	found=$(curl -s -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $1" \
		-d "{\"name\":\"$2\"}" "$U/api/v1/cases/search" | sed -n 's/.*"total":\([0-9]*\)}$/\1/p')
	[ -n "$found" ] || { echo "bench: the search for $2 failed" >&2; exit 1; }
	for _ in $(seq 1 "$RUNS"); do
		out=$(wrk -t1 -c1 -d"$DURATION" --latency -s "$dir/post.lua" "$U/api/v1/cases/search")
		non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
		[ -z "$non2xx" ] || { echo "bench: $2 answered $non2xx non-2xx responses" >&2; exit 1; }
		ms() { awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
		p50+=($(echo "$out" | ms "50%"))
		p99+=($(echo "$out" | ms "99%"))
	done
	echo "$(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median) $found"
}
sup=$(token supervisor.ne@demo.ponte.example)
fp=$(token national.focal.point.ne@demo.ponte.example)
[ -n "$sup" ] && [ -n "$fp" ] || { echo "bench: could not sign in" >&2; exit 1; }
in_org=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM cases WHERE organisation_id = (SELECT id FROM organisations WHERE code = 'NE-NGO')")
in_country=$(sqlite3 "$dir/p.db" "SELECT count(*) FROM cases WHERE country = 'NE'")
echo "| query | scope | cases matched | median of $RUNS | target |"
echo "|---|---|---|---|---|"
for q in "Moussa Issoufou" "Musa Isufu" "Hadiza" "Mous" "موسى"; do
	read -r a b n < <(measure "$sup" "$q")
	echo "| \`$q\` | organisation ($in_org cases) | $n | p50 $a ms, p99 $b ms | p99 < 50 ms |"
done
for q in "Moussa Issoufou" "Mous"; do
	read -r a b n < <(measure "$fp" "$q")
	echo "| \`$q\` | country ($in_country cases) | $n | p50 $a ms, p99 $b ms | p99 < 50 ms |"
done
echo
echo "What the keys show without the key ($CASES cases; kind 1 token, 2 skeleton, 3 prefix):"
echo
echo "| kind | keys | distinct values | cases per value: most frequent, median | values held by one case |"
echo "|---|---|---|---|---|"
for kind in 1 2 3; do
	sqlite3 -separator ' ' "$dir/p.db" "
	WITH f AS (SELECT key, count(*) AS n FROM case_name_keys WHERE kind = $kind GROUP BY key)
	SELECT (SELECT count(*) FROM case_name_keys WHERE kind = $kind), count(*), max(n),
	  (SELECT n FROM f ORDER BY n LIMIT 1 OFFSET (SELECT count(*) / 2 FROM f)),
	  sum(n = 1) FROM f" | while read -r keys distinct top med once; do
		echo "| $kind | $keys | $distinct | $top, $med | $once |"
	done
done
shared=$(sqlite3 "$dir/p.db" "
	WITH s AS (SELECT case_id, group_concat(hex(key), '') AS keys
	           FROM (SELECT case_id, key FROM case_name_keys ORDER BY case_id, key) GROUP BY case_id)
	SELECT count(DISTINCT keys) || ' ' || (SELECT count(*) FROM s WHERE keys IN
	  (SELECT keys FROM s GROUP BY keys HAVING count(*) > 1)) FROM s")
echo
echo "Distinct sets of keys (names, as far as the keys tell them apart): ${shared% *}; cases whose"
echo "whole set of keys another case also has (linkable as the same name): ${shared#* } of $CASES."
