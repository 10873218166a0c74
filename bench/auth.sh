#!/usr/bin/env bash
# Identity and access figures. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/auth.sh [RUNS]     (default 3; medians reported)
#
# - Login cost: sequential API logins (argon2id verification + session creation), median ms.
# - Authentication overhead: wrk on GET /api/v1/instance anonymous vs with a bearer token
#   (the same handler; the difference is session lookup, principal load and permission
#   check), as CPU time per request on the server's 2 threads.
# - Authenticated DB-backed JSON read: GET /api/v1/users/me (session lookup, permission
#   check, user row and roles read, three fields decrypted).
# Loopback only; bounded loops.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
build/ponte init --db "$dir/p.db" --demo >/dev/null 2>&1
port=18097
build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.01; done
U=http://127.0.0.1:$port
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
login='{"email":"supervisor@demo.ponte.example","password":"Ponte-demo-Lisboa-2026"}'

logins=()
for _ in $(seq 1 $((RUNS * 5))); do
	t=$(curl -s -o /dev/null -w '%{time_total}' -X POST "$U/api/v1/auth/login" -d "$login")
	logins+=($(awk -v t="$t" 'BEGIN {printf "%.1f", t * 1000}'))
done
login_ms=$(printf '%s\n' "${logins[@]}" | median)
token=$(curl -s -X POST "$U/api/v1/auth/login" -d "$login" | sed 's/.*"token":"\([^"]*\)".*/\1/')

run_wrk() { # path [header]
	local r=() l=()
	for _ in $(seq 1 "$RUNS"); do
		out=$(wrk -t2 -c64 -d"$DURATION" --latency ${2:+-H "$2"} "$U$1")
		non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
		[ -z "$non2xx" ] || { echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; }
		r+=($(echo "$out" | awk '/Requests\/sec/ {print $2}'))
		l+=($(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'))
	done
	echo "$(printf '%s\n' "${r[@]}" | median) $(printf '%s\n' "${l[@]}" | median)"
}
read -r anon_rps anon_p99 < <(run_wrk /api/v1/instance)
read -r auth_rps auth_p99 < <(run_wrk /api/v1/instance "Authorization: Bearer $token")
read -r me_rps me_p99 < <(run_wrk /api/v1/users/me "Authorization: Bearer $token")
overhead_us=$(awk -v a="$anon_rps" -v b="$auth_rps" 'BEGIN {printf "%.1f", (1/b - 1/a) * 2 * 1e6}')

cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| API login (argon2id opslimit 3, 64 MiB, + session) | sequential \`curl\`, $((RUNS * 5)) logins | $login_ms ms | documented |
| GET /api/v1/instance, anonymous | \`wrk -t2 -c64 -d$DURATION --latency\` | $anon_rps req/s, p99 $anon_p99 ms | |
| GET /api/v1/instance, bearer token | same | $auth_rps req/s, p99 $auth_p99 ms | |
| authentication overhead (session lookup + principal + permission check) | derived: (1/auth - 1/anon) x 2 threads | $overhead_us µs CPU per request | |
| GET /api/v1/users/me (authenticated, DB read, 3 fields decrypted) | \`wrk -t2 -c64 -d$DURATION --latency\` | $me_rps req/s, p99 $me_p99 ms | >= 20,000 req/s |
MD
