#!/usr/bin/env bash
# Referral round trips between two local instances (Portugal and Niger), each a real
# `ponte serve` with its own database and keys. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/trm.sh [N]      (default 1000 referrals)
#
# Portugal's focal point offers N cases (each with its consent) over the API; Niger's servers
# acknowledge each offer as it arrives (delivered); a client accepts them as Niger's focal
# point as fast as they come; Portugal receives the acceptances. The client is
# bench/trm_client.c (THREADS keep-alive connections, default 8). Reported:
# - throughput: N / (first offer → last acceptance received in Portugal);
# - offer → delivered: from the offer's commit in Portugal to Niger's acknowledgement applied
#   in Portugal (no person in the loop), median and p99;
# - offer → accepted: the same to the acceptance applied in Portugal (includes the accepting
#   client's polling), median and p99;
# - the instances' own time per message (the inbox request as each server logs it);
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
mkdir -p build/bench
cc -O2 -Wall -Wextra -pthread -o build/bench/trm_client bench/trm_client.c $(pkg-config --cflags --libs libcurl)
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
tok() { echo "$1" | sed 's/^Authorization: Bearer //'; }
# The cases and their consents first (not measured), by the same client.
build/bench/trm_client setup "http://127.0.0.1:$P_PT" "$(tok "$CW")" "$N" 4 >"$dir/pairs"
# The client (bench/trm_client.c): THREADS keep-alive connections post the offers to Portugal;
# one lists Niger's referrals and THREADS accept those delivered, as they come.
t0=$(date +%s.%N)
build/bench/trm_client "http://127.0.0.1:$P_PT" "http://127.0.0.1:$P_NE" "$(tok "$FP")" "$(tok "$NFP")" \
	"$NE_ID" "$dir/pairs" "${THREADS:-8}" >"$dir/client.out"
read -r _ offer_s _ client_s lists <"$dir/client.out"
for _ in $(seq 1 ${WAIT_TICKS:-6000}); do
	done_n=$(sqlite3 "$dir/PT.db" "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND state = 'accepted'")
	[ "$done_n" -ge "$N" ] && break
	sleep 0.1
done
t1=$(date +%s.%N)
[ "$done_n" -ge "$N" ] || { echo "bench: only $done_n of $N accepted" >&2; exit 1; }
# Latencies from the databases' own times (ms): offer committed → reply applied in Portugal.
pct() { # type percentile
	sqlite3 "$dir/PT.db" "WITH l AS (SELECT (julianday(i.received_at) - julianday(o.created_at)) * 86400000.0 AS ms
		FROM trm_outbox o JOIN trm_inbox i ON i.in_reply_to = o.message_id AND i.type = '$1'
		WHERE o.type = 'referral_offer' ORDER BY ms)
		SELECT printf('%.1f', ms) FROM l LIMIT 1 OFFSET (SELECT CAST(count(*) * $2 AS INTEGER) FROM l)"
}
bytes() { sqlite3 "$1" "SELECT CAST(avg(length(body)) AS INTEGER) FROM trm_outbox WHERE type = '$2'"; }
# The instances' own time per message: the inbox request (open, verify, apply, commit) as each
# server logs it, at Niger for the offers and at Portugal for the answers.
inbox_ms() { # log percentile
	grep '"route":"/fed/v1/inbox"' "$1" | sed 's/.*"duration_ms":\([0-9.]*\).*/\1/' | sort -n |
		awk -v q="$2" '{a[NR]=$1} END {i=int(NR*q); if (i<1) i=1; printf "%.1f", a[i]}'
}
thr=$(echo "$N $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
total_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
cat <<MD
| what | command | result |
|---|---|---|
| $N referral round trips (offer → delivered → accepted), two local instances | \`bash bench/trm.sh $N\` | $total_s s in all ($offer_s s to post the offers): **$thr round trips/s** |
| offer → delivered (acknowledgement applied at the sender) | same | median $(pct delivered 0.5) ms, p99 $(pct delivered 0.99) ms |
| offer → accepted (a client accepting as offers arrive) | same | median $(pct accepted 0.5) ms, p99 $(pct accepted 0.99) ms |
| time per message in the receiving instance (/fed/v1/inbox: open, verify, apply, commit) | same | offers at Niger: median $(inbox_ms "$dir/NE.log" 0.5) ms, p99 $(inbox_ms "$dir/NE.log" 0.99) ms; answers at Portugal: median $(inbox_ms "$dir/PT.log" 0.5) ms, p99 $(inbox_ms "$dir/PT.log" 0.99) ms |
| the client | same | ${THREADS:-8} keep-alive connections to each side, offers posted in $offer_s s, last acceptance posted at $client_s s, $lists list requests |
| bytes on the wire per referral | same | offer $(bytes "$dir/PT.db" referral_offer) B, delivered $(bytes "$dir/NE.db" delivered) B, accepted $(bytes "$dir/NE.db" accepted) B |
MD
