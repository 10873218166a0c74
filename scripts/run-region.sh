#!/usr/bin/env bash
# `make run-region`: three countries' installations on one machine, peered with each other by
# fingerprint, with referrals across borders between them, to follow a referral from Portugal
# to Niger in two browser tabs.
#
#   Portugal  http://127.0.0.1:8080   var/region/pt.db (+ .key)
#   Niger     http://127.0.0.1:8081   var/region/ne.db
#   Senegal   http://127.0.0.1:8082   var/region/sn.db
#
# The first start creates each database (its own keys, its own country's demonstration
# accounts and cases), registers every installation with the two others as their
# administrators would (ponte peer id, the fingerprint, ponte peer add), starts them, and makes
# a few referrals across borders over the API (scripts/region-seed.py). A later start keeps the
# data. Ctrl-C (or SIGTERM) stops the three; requests in flight finish first.
#
# Environment: PONTE_REGION_DIR (var/region), PONTE_REGION_PORT (8080: Portugal's, then one
# more for each country), PONTE_REGION_CASES (cases per country, 40).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PONTE_REGION_DIR:-var/region}
base=${PONTE_REGION_PORT:-8080}
cases=${PONTE_REGION_CASES:-40}
password=Ponte-demo-Lisboa-2026
codes=(PT NE SN)
names=("Ponte demonstration (Portugal)" "Ponte demonstration (Niger)" "Ponte demonstration (Senegal)")
mkdir -p "$dir"
for tool in curl python3; do
	command -v $tool >/dev/null || { echo "run-region: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

port_of() { echo $((base + $1)); }
db_of() { local cc=${codes[$1]}; echo "$dir/${cc,,}.db"; }

# 1. Each country's database, once.
for i in 0 1 2; do
	db=$(db_of $i)
	[ -f "$db" ] && continue
	cc=${codes[$i]}
	pw=$(mktemp); printf '%s' "$password" >"$pw"
	build/ponte init --db "$db" --country "$cc" --name "${names[$i]}" \
		--admin-email admin@demo.ponte.example --admin-password-file "$pw" >/dev/null 2>"$dir/${cc,,}.init.log" ||
		{ rm -f "$pw"; cat "$dir/${cc,,}.init.log" >&2; exit 1; }
	rm -f "$pw"
	build/ponte demo --db "$db" --country "$cc" --cases "$cases" --password "$password" >/dev/null 2>>"$dir/${cc,,}.init.log"
	# A demonstration to click through: the focal points and administrators are not asked
	# to set up two-factor authentication first (make run shows that set-up).
	build/ponte settings set --db "$db" --name require_2fa_for_flagged_roles --value 0 >/dev/null
	build/ponte peer id --db "$db" --url "http://127.0.0.1:$(port_of $i)" >"$dir/${cc,,}.identity.json"
done

# 2. Every pair peered by fingerprint, as two administrators would after a phone call.
fingerprint() { sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p' "$1"; }
for i in 0 1 2; do
	for j in 0 1 2; do
		[ $i = $j ] && continue
		peer=$dir/${codes[$j],,}.identity.json
		iid=$(sed -n 's/.*"instance_id":"\([^"]*\)".*/\1/p' "$peer")
		build/ponte peer list --db "$(db_of $i)" 2>/dev/null | grep -q "$iid" && continue
		build/ponte peer add --db "$(db_of $i)" --identity "$peer" --fingerprint "$(fingerprint "$peer")" >/dev/null
	done
done

# 3. Serve the three; Ctrl-C stops them all.
pids=()
stop() {
	trap - INT TERM
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	echo "run-region: stopped"
	exit 0
}
trap stop INT TERM
for i in 0 1 2; do
	port=$(port_of $i)
	PONTE_SESSION_COOKIE=ponte_session_${codes[$i],,} build/ponte serve --db "$(db_of $i)" --listen "127.0.0.1:$port" \
		--public-url "http://127.0.0.1:$port" 2>>"$dir/${codes[$i],,}.log" &
	pids+=($!)
done
for i in 0 1 2; do
	port=$(port_of $i)
	for _ in $(seq 1 300); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		kill -0 "${pids[$i]}" 2>/dev/null || { echo "run-region: ${codes[$i]} did not start (see $dir/${codes[$i],,}.log)" >&2; stop; }
		sleep 0.1
	done
done

# 4. Referrals across borders, the first time.
python3 scripts/region-seed.py "$base" || { echo "run-region: the demonstration referrals failed" >&2; stop; }

cat <<MSG

  Three countries' installations are running, each with its own database and keys under
  $dir/, registered with each other by fingerprint:

    Portugal  http://127.0.0.1:$(port_of 0)/login
    Niger     http://127.0.0.1:$(port_of 1)/login
    Senegal   http://127.0.0.1:$(port_of 2)/login

  Password of every account: $password. Each installation has its own country's
  accounts, ROLE.CC@demo.ponte.example with CC = pt, ne or sn:
    national.focal.point.pt   on Portugal  sends and follows referrals across borders
    national.focal.point.ne   on Niger     receives them: accept or decline, hand to a provider
    national.focal.point.sn   on Senegal
    case.worker.CC, supervisor.CC, police.investigator.CC, administrator.CC, ...
    administrator.CC          Administration > Peer instances: the other two, their state

  To follow a referral from Portugal to Niger: sign in to Portugal as
  national.focal.point.pt and open "Across borders"; in a second tab sign in to Niger as
  national.focal.point.ne (each installation keeps its own sign-in), open "Across borders", accept Moussa Hama's referral, and
  reload Portugal's page: it reads accepted. Some referrals are accepted already, others
  wait for an answer; Senegal sends and receives too.
  Two-factor set-up is switched off in these installations (make run shows it).

  Stop all three with Ctrl-C (each database is checkpointed on the way out).
  Logs: $dir/pt.log, ne.log, sn.log.
  run-region: ready

MSG
wait
