#!/usr/bin/env bash
# Referral round trips between two local instances (Portugal and Niger), each a real
# `ponte serve` with its own database and keys. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/trm.sh [N]      (default 1000 referrals)
#
# Portugal's focal point offers N cases (each with its consent) over the API; Niger's servers
# acknowledge each offer as it arrives (delivered); a client accepts them as Niger's focal
# point as fast as they come; Portugal receives the acceptances. Reported:
# - throughput: N / (first offer → last acceptance received in Portugal);
# - offer → delivered: from the offer's commit in Portugal to Niger's acknowledgement applied
#   in Portugal (no person in the loop), median and p99;
# - offer → accepted: the same to the acceptance applied in Portugal (includes the accepting
#   client's polling), median and p99;
# - bytes on the wire per referral: the offer, the acknowledgement and the acceptance, as
#   sent (sealed, base64, JSON).
# Loopback only; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
for tool in curl sqlite3; do
	command -v $tool >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
make --no-print-directory build >/dev/null
dir=$(mktemp -d); echo "bench: $dir" >&2
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
P_PT=18311
P_NE=18312
for cc in PT NE; do
	port=$P_PT; [ $cc = NE ] && port=$P_NE
	build/ponte init --db "$dir/$cc.db" --country $cc --name "Bench $cc" --demo >/dev/null 2>&1
	build/ponte settings set --db "$dir/$cc.db" --name require_2fa_for_flagged_roles --value 0 >/dev/null
	build/ponte peer id --db "$dir/$cc.db" --url "http://127.0.0.1:$port" >"$dir/$cc.json"
done
fp() { grep -o '"fingerprint":"[^"]*"' "$1" | cut -d'"' -f4; }
iid() { grep -o '"instance_id":"[^"]*"' "$1" | cut -d'"' -f4; }
build/ponte peer add --db "$dir/PT.db" --identity "$dir/NE.json" --fingerprint "$(fp "$dir/NE.json")" >/dev/null
build/ponte peer add --db "$dir/NE.db" --identity "$dir/PT.json" --fingerprint "$(fp "$dir/PT.json")" >/dev/null
NE_ID=$(iid "$dir/NE.json")
for cc in PT NE; do
	port=$P_PT; [ $cc = NE ] && port=$P_NE
	build/ponte serve --db "$dir/$cc.db" --listen 127.0.0.1:$port --threads 2 \
		--public-url "http://127.0.0.1:$port" 2>"$dir/$cc.log" &
	pids+=($!)
	for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
done
token() { # port email
	curl -fs -X POST "http://127.0.0.1:$1/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$2\",\"password\":\"Ponte-demo-Lisboa-2026\"}" | grep -o '"token":"[^"]*"' | cut -d'"' -f4
}
CW="Authorization: Bearer $(token $P_PT case.worker@demo.ponte.example)"
FP="Authorization: Bearer $(token $P_PT focal.point@demo.ponte.example)"
NFP="Authorization: Bearer $(token $P_NE focal.point@demo.ponte.example)"
J='Content-Type: application/json'
api() { curl -fs -X "$1" "$2" -H "$3" -H "$J" ${4:+-d "$4"}; }
# The cases and their consents first (not measured).
cases=()
consents=()
for i in $(seq 1 "$N"); do
	id=$(api POST "http://127.0.0.1:$P_PT/api/v1/cases" "$CW" "{\"person\":{\"prs_FirstName\":\"Bench $i\",\"prs_Gender\":\"Feminine\",\"prs_Citizenship\":[\"NE\"]}}" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
	c=$(api POST "http://127.0.0.1:$P_PT/api/v1/cases/$id/consents" "$CW" '{"purpose":"transnational_referral","categories":["identity","victim"],"legal_basis":"consent","language":"ha","text_version":"v1","given_by":"person","given_on":"2026-01-10"}' | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
	cases+=("$id")
	consents+=("$c")
done
# The accepting client in Niger: accept whatever is delivered, until N are accepted or 10 min.
accept_all() {
	local accepted=0 deadline=$((SECONDS + 600))
	while [ "$accepted" -lt "$N" ] && [ $SECONDS -lt $deadline ]; do
		ids=$(api GET "http://127.0.0.1:$P_NE/api/v1/transnational-referrals" "$NFP" |
			grep -o '{"id":[0-9]*,"direction":"in"[^{]*"state":"delivered"' | grep -o '^{"id":[0-9]*' | cut -d: -f2 || true)
		for r in $ids; do
			api POST "http://127.0.0.1:$P_NE/api/v1/transnational-referrals/$r/accept" "$NFP" '{}' >/dev/null && accepted=$((accepted + 1))
		done
		[ -n "$ids" ] || sleep 0.05
	done
}
accept_all &
acceptor=$!
pids+=($acceptor)
t0=$(date +%s.%N)
for i in $(seq 0 $((N - 1))); do
	api POST "http://127.0.0.1:$P_PT/api/v1/cases/${cases[$i]}/transnational-referrals" "$FP" \
		"{\"peer\":\"$NE_ID\",\"consent\":${consents[$i]}}" >/dev/null
done
t_offers=$(date +%s.%N)
for _ in $(seq 1 ${WAIT_TICKS:-6000}); do
	done_n=$(sqlite3 "$dir/PT.db" "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND state = 'accepted'")
	[ "$done_n" -ge "$N" ] && break
	sleep 0.1
done
t1=$(date +%s.%N)
wait $acceptor || true
[ "$done_n" -ge "$N" ] || { echo "bench: only $done_n of $N accepted" >&2; exit 1; }
# Latencies from the databases' own times (ms): offer committed → reply applied in Portugal.
pct() { # type percentile
	sqlite3 "$dir/PT.db" "WITH l AS (SELECT (julianday(i.received_at) - julianday(o.created_at)) * 86400000.0 AS ms
		FROM trm_outbox o JOIN trm_inbox i ON i.in_reply_to = o.message_id AND i.type = '$1'
		WHERE o.type = 'referral_offer' ORDER BY ms)
		SELECT printf('%.1f', ms) FROM l LIMIT 1 OFFSET (SELECT CAST(count(*) * $2 AS INTEGER) FROM l)"
}
bytes() { sqlite3 "$1" "SELECT CAST(avg(length(body)) AS INTEGER) FROM trm_outbox WHERE type = '$2'"; }
thr=$(echo "$N $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
offer_s=$(echo "$t0 $t_offers" | awk '{printf "%.1f", $2 - $1}')
total_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
cat <<MD
| what | command | result |
|---|---|---|
| $N referral round trips (offer → delivered → accepted), two local instances | \`bash bench/trm.sh $N\` | $total_s s in all ($offer_s s to post the offers): **$thr round trips/s** |
| offer → delivered (acknowledgement applied at the sender) | same | median $(pct delivered 0.5) ms, p99 $(pct delivered 0.99) ms |
| offer → accepted (a client accepting as offers arrive) | same | median $(pct accepted 0.5) ms, p99 $(pct accepted 0.99) ms |
| bytes on the wire per referral | same | offer $(bytes "$dir/PT.db" referral_offer) B, delivered $(bytes "$dir/NE.db" delivered) B, accepted $(bytes "$dir/NE.db" accepted) B |
MD
