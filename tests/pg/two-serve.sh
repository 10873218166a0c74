#!/usr/bin/env bash
# Two `ponte serve` processes on one PostgreSQL database and one files folder (issue 20),
# against the throwaway cluster of tests/pg/cluster.sh (PONTE_TEST_PG set by
# tests/run-all.sh, or: eval "$(bash tests/pg/cluster.sh start)"), as users meet them:
# - a case edited through both: the change based on the version the other process already
#   replaced is refused (409 with the current version), and each reads the other's change;
# - a national referral sent through one process and accepted through the other, a second
#   accept refused (409);
# - the installation's time zone changed on the settings page of one process, shown by the
#   very next page of the other;
# - N transnational offers (1,000 by default; TWO_SERVE_OFFERS=N) from another instance
#   (SQLite, its own `ponte serve`) reach the two processes through nginx (an upstream of
#   both, as docs/deploy.md sets it up), and the process that holds the outbox sender's role
#   is killed with -9 in the middle: every offer is applied once, every acknowledgement
#   reaches the sender once (at most one extra post, the one in flight at the kill: two
#   senders would post nearly everything twice), the other process takes the sender's role,
#   and the audit trail both processes appended to verifies as one chain.
# Every wait is bounded in count and time. Ports are taken below 32768, out of the kernel's
# range of ephemeral ports, which the test's own connections use.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PONTE_BIN:-build/ponte}
CLIENT=build/bench/trm_client
N=${TWO_SERVE_OFFERS:-1000}
: "${PONTE_TEST_PG:?PONTE_TEST_PG is not set (eval \"\$(bash tests/pg/cluster.sh start)\")}"
command -v nginx >/dev/null || { echo "two-serve: nginx is missing (scripts/setup.sh installs it)" >&2; exit 1; }
dir=$(mktemp -d /tmp/ponte-two-XXXXXX)
chmod 0711 "$dir"
pids=()
name=ponte_two_$$
psql_as() { # psql as the cluster's owner (root cannot be PostgreSQL's superuser)
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- psql "$@"; else psql "$@"; fi
}
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	psql_as "$PONTE_TEST_PG" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "two-serve: FAIL: $*" >&2
	for f in a b x; do [ -f "$dir/$f.log" ] && { echo "--- $f.log" >&2; grep -v '"route"' "$dir/$f.log" | tail -5 >&2; }; done
	exit 1
}
psql_as "$PONTE_TEST_PG" -qc "CREATE DATABASE $name" >/dev/null
url=${PONTE_TEST_PG/\/\/\/postgres/\/\/\/$name}
q() { psql_as "$url" -tAc "$1"; } # one value from the PostgreSQL instance
qx() { sqlite3 "$dir/x.db" "$1"; } # one value from the other instance

base=$((20000 + RANDOM % 10000))
PA=$base PB=$((base + 1)) PP=$((base + 2)) PX=$((base + 3))
PW=Two-serve-password-2026
echo "$PW" >"$dir/admin.pw"
# The instance on PostgreSQL (Portugal): its key and files folder are shared by both processes.
pt() { PONTE_KEY="$dir/pt.key" PONTE_FILES="$dir/files" "$BIN" "$@"; }
pt init --db "$url" --country PT --name "Two processes" --demo \
	--admin-email admin@two.example --admin-password-file "$dir/admin.pw" >/dev/null 2>&1 || fail "init on PostgreSQL"
pt settings set --db "$url" --name require_2fa_for_flagged_roles --value 0 >/dev/null
pt peer id --db "$url" --url "http://127.0.0.1:$PP" >"$dir/pt.json"
# The other instance (Niger), on SQLite, one process.
"$BIN" init --db "$dir/x.db" --country NE --name "Other" --demo >/dev/null 2>&1 || fail "init of the other instance"
"$BIN" settings set --db "$dir/x.db" --name require_2fa_for_flagged_roles --value 0 >/dev/null
"$BIN" peer id --db "$dir/x.db" --url "http://127.0.0.1:$PX" >"$dir/x.json"
fp() { jq -r .fingerprint "$1"; }
pt peer add --db "$url" --identity "$dir/x.json" --fingerprint "$(fp "$dir/x.json")" >/dev/null
"$BIN" peer add --db "$dir/x.db" --identity "$dir/pt.json" --fingerprint "$(fp "$dir/pt.json")" >/dev/null
PT_ID=$(jq -r .instance_id "$dir/pt.json")

up() { # port pid log: wait (at most 30 s) for /healthz
	for _ in $(seq 1 300); do
		curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || fail "the server on $1 exited: $(tail -3 "$3")"
		sleep 0.1
	done
	fail "the server on $1 did not answer in 30 s"
}
serve_pt() { # port log (the server itself in the background, not a subshell: kill -9 hits it)
	PONTE_KEY="$dir/pt.key" PONTE_FILES="$dir/files" "$BIN" serve --db "$url" \
		--listen "127.0.0.1:$1" --threads 4 --public-url "http://127.0.0.1:$PP" 2>"$2" &
	pids+=($!)
	up "$1" $! "$2"
}
# A first, alone: it takes the sender's role; B starts once A holds it.
serve_pt "$PA" "$dir/a.log"
pid_a=${pids[-1]}
for _ in $(seq 1 50); do grep -q trm_sender_elected "$dir/a.log" && break; sleep 0.1; done
grep -q trm_sender_elected "$dir/a.log" || fail "the first process did not take the sender's role"
serve_pt "$PB" "$dir/b.log"
pid_b=${pids[-1]}
"$BIN" serve --db "$dir/x.db" --listen "127.0.0.1:$PX" --threads 4 --public-url "http://127.0.0.1:$PX" 2>"$dir/x.log" &
pids+=($!)
up "$PX" $! "$dir/x.log"
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
$([ "$(id -u)" -eq 0 ] && echo "user root root;")
events { worker_connections 256; }
http {
	access_log $dir/nginx-access.log;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	upstream ponte { server 127.0.0.1:$PA max_fails=1 fail_timeout=60s; server 127.0.0.1:$PB max_fails=1 fail_timeout=60s; keepalive 16; }
	server {
		listen 127.0.0.1:$PP;
		client_max_body_size 8m;
		location / {
			proxy_pass http://ponte;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_next_upstream error timeout;
		}
	}
}
CONF
nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' 2>"$dir/nginx.out" &
pids+=($!)
up "$PP" $! "$dir/nginx.out"

A=http://127.0.0.1:$PA B=http://127.0.0.1:$PB
token() { # base email password
	curl -fs -X POST "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$2\",\"password\":\"${3:-Ponte-demo-Lisboa-2026}\"}" | jq -r .token
}
api() { # method url token [body] -> the body; the status in $dir/status
	curl -s -o "$dir/resp" -w '%{http_code}' -X "$1" "$2" -H "Authorization: Bearer $3" \
		-H 'Content-Type: application/json' ${4:+-d "$4"} >"$dir/status" || true
	cat "$dir/resp"
}
status() { cat "$dir/status"; }

# 1. A case edited through both processes. The session opened through A serves B: sessions
# are rows of the database.
CW=$(token "$A" case.worker@demo.ponte.example)
SUP=$(token "$B" supervisor@demo.ponte.example)
[ -n "$CW" ] && [ "$CW" != null ] && [ -n "$SUP" ] && [ "$SUP" != null ] || fail "sign-in refused"
id=$(api POST "$A/api/v1/cases" "$CW" '{"person":{"prs_FirstName":"Amina","prs_Gender":"Feminine","prs_Citizenship":["NE"]}}' | jq -r .id)
[ "$(status)" = 201 ] || fail "case not created through A: $(status)"
api PATCH "$B/api/v1/cases/$id" "$CW" '{"version":1,"phase":"protection"}' >/dev/null
[ "$(status)" = 200 ] || fail "the change through B was refused: $(status) $(cat "$dir/resp")"
api PATCH "$A/api/v1/cases/$id" "$SUP" '{"version":1,"cas_Status":"Closed"}' >/dev/null
[ "$(status)" = 409 ] || fail "a change on the stale version through A was not refused: $(status)"
jq -e '.error.current_version == 2' "$dir/resp" >/dev/null || fail "409 without the current version: $(cat "$dir/resp")"
api GET "$A/api/v1/cases/$id" "$SUP" | jq -e '.version == 2 and .phase == "protection"' >/dev/null ||
	fail "A does not read B's change: $(cat "$dir/resp")"
api PATCH "$A/api/v1/cases/$id" "$SUP" '{"version":2,"phase":"assistance"}' >/dev/null
[ "$(status)" = 200 ] || fail "the change on the current version through A: $(status) $(cat "$dir/resp")"
api PATCH "$B/api/v1/cases/$id" "$CW" '{"version":2,"phase":"return"}' >/dev/null
[ "$(status)" = 409 ] || fail "a change on the stale version through B was not refused: $(status)"
echo "two-serve: a case edited through both processes, stale versions refused (409) on each"

# 2. A national referral sent through A and accepted through B.
SH=$(token "$B" shelter@demo.ponte.example)
svc=$(api GET "$A/api/v1/services?type=shelter&room=1&sex=Feminine&age=25" "$CW")
service=$(echo "$svc" | jq -r '[.items[] | select(.organisation.code == "PT-SHELTER")][0].id')
org=$(echo "$svc" | jq -r '[.items[] | select(.organisation.code == "PT-SHELTER")][0].organisation.id')
[ -n "$service" ] && [ "$service" != null ] || fail "no shelter in the directory: $svc"
consent=$(api POST "$A/api/v1/cases/$id/consents" "$CW" "{\"purpose\":\"referral\",\"recipient_id\":$org,\"categories\":[\"identity\",\"victim\"],\"legal_basis\":\"consent\",\"language\":\"fr\",\"text_version\":\"PT-2026-1\",\"given_by\":\"person\",\"given_on\":\"2026-01-05\"}" | jq -r .id)
[ "$(status)" = 201 ] || fail "consent not recorded: $(cat "$dir/resp")"
ref=$(api POST "$A/api/v1/referrals" "$CW" "{\"case_id\":$id,\"service_id\":$service,\"categories\":[\"identity\",\"victim\"],\"consent_id\":$consent}" | jq -r .id)
[ "$(status)" = 201 ] || fail "referral not created: $(cat "$dir/resp")"
api POST "$A/api/v1/referrals/$ref/send" "$CW" >/dev/null
[ "$(status)" = 200 ] || fail "referral not sent through A: $(status)"
api GET "$B/api/v1/referrals?box=in" "$SH" | jq -e ".items[] | select(.id == $ref)" >/dev/null ||
	fail "the shelter does not see the referral through B: $(cat "$dir/resp")"
api POST "$B/api/v1/referrals/$ref/accept" "$SH" >/dev/null
[ "$(status)" = 200 ] || fail "the shelter could not accept through B: $(status)"
api POST "$A/api/v1/referrals/$ref/accept" "$SH" >/dev/null
[ "$(status)" = 409 ] || fail "a second accept through A was not refused: $(status)"
api GET "$A/api/v1/referrals/$ref" "$CW" | jq -e '.state == "accepted"' >/dev/null ||
	fail "A does not read the acceptance: $(cat "$dir/resp")"
echo "two-serve: a referral sent through A, accepted through B, accepted again refused (409)"

# 3. The time zone saved on A's settings page, shown by B's next page.
web_login() { # base -> the session cookie
	curl -s -D - -o /dev/null -H "Cookie: x=1" \
		--data "email=admin@two.example&password=$PW" "$1/login" |
		sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1
}
CA=$(web_login "$A"); CB=$(web_login "$B")
[ -n "$CA" ] && [ -n "$CB" ] || fail "the administrator could not sign in"
csrf=$(curl -s -H "Cookie: $CA" "$A/admin/settings" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$csrf" ] || fail "no settings form on A"
shown_now() { # base cookie -> the settings page's "now"
	curl -s -H "Cookie: $2" "$1/admin/settings" | tr '\n' ' ' |
		sed -n 's/.*id="time-now">[^<]*<time[^>]*>\([^<]*\)<.*/\1/p'
}
before=$(shown_now "$B" "$CB") # B has just read the zone (UTC)
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $CA" \
	--data "csrf=$csrf&time_zone=Asia/Kathmandu" "$A/admin/settings")
[ "$st" = 303 ] || fail "the time zone was not saved through A: $st"
t0=$(TZ=Asia/Kathmandu date +%H:%M)
after=$(shown_now "$B" "$CB")
t1=$(TZ=Asia/Kathmandu date +%H:%M)
case "$after" in *"$t0"* | *"$t1"*) ;; *) fail "B still shows another zone right after the change: '$after' (Kathmandu $t0, before '$before')" ;; esac
echo "two-serve: the time zone saved through A is B's at its next page ($after)"

# 4. N transnational offers from the other instance through nginx to both processes; the
# holder of the sender's role killed with -9 in the middle.
XCW=$(token "http://127.0.0.1:$PX" case.worker@demo.ponte.example)
XFP=$(token "http://127.0.0.1:$PX" focal.point@demo.ponte.example)
mkdir -p build/bench
[ -x "$CLIENT" ] && [ "$CLIENT" -nt bench/trm_client.c ] ||
	cc -O2 -Wall -Wextra -pthread -o "$CLIENT" bench/trm_client.c $(pkg-config --cflags --libs libcurl)
"$CLIENT" setup "http://127.0.0.1:$PX" "$XCW" "$N" 4 >"$dir/pairs" || fail "the other instance's cases"
"$CLIENT" "http://127.0.0.1:$PX" - "$XFP" - "$PT_ID" "$dir/pairs" 4 >"$dir/client.out" 2>"$dir/client.err" &
client=$!
pids+=($client)
applied() { q "SELECT count(*) FROM trm_referrals WHERE direction = 'in'"; }
acked() { qx "SELECT count(*) FROM trm_inbox WHERE type = 'delivered'"; }
# Kill A (the sender) once a tenth of the offers are in, with most still to come and their
# acknowledgements on the way (bounded: 20 minutes).
killed=
for _ in $(seq 1 12000); do
	n=$(applied)
	if [ "$n" -ge $((N / 10 > 0 ? N / 10 : 1)) ]; then
		k=$(acked)
		[ "$k" -lt "$N" ] || fail "every acknowledgement was back before the kill ($k)"
		kill -9 "$pid_a"
		wait "$pid_a" 2>/dev/null || true
		killed="after $n offers applied and $k acknowledged"
		break
	fi
	kill -0 "$pid_a" 2>/dev/null || fail "A exited: $(tail -3 "$dir/a.log")"
	sleep 0.1
done
[ -n "$killed" ] || fail "only $(applied) offers applied in 20 minutes"
wait "$client" || fail "the offers were not all posted: $(cat "$dir/client.err")"
for _ in $(seq 1 6000); do # 10 minutes at most
	[ "$(applied)" -ge "$N" ] && [ "$(acked)" -ge "$N" ] && break
	kill -0 "$pid_b" 2>/dev/null || fail "B exited: $(tail -3 "$dir/b.log")"
	sleep 0.1
done
[ "$(applied)" = "$N" ] || fail "$(applied) of $N offers applied"
[ "$(q "SELECT count(DISTINCT message_id) FROM trm_inbox WHERE type = 'referral_offer'")" = "$N" ] ||
	fail "offers applied more than once"
[ "$(qx "SELECT count(*) FROM trm_outbox WHERE type = 'referral_offer' AND state = 'delivered'")" = "$N" ] ||
	fail "offers not all delivered"
[ "$(acked)" = "$N" ] || fail "$(acked) of $N acknowledgements reached the other instance"
grep -q trm_sender_elected "$dir/b.log" || fail "B did not take the sender's role after the kill"
# Every post of an acknowledgement the other instance answered 200 was applied or a duplicate:
# at most one duplicate, the acknowledgement A had posted when it was killed.
posts=$(grep '"route":"/fed/v1/inbox"' "$dir/x.log" | grep -c '"status":200' || true)
[ "$posts" -le $((N + 1)) ] || fail "the acknowledgements were posted $posts times for $N (two senders?)"
pt audit verify --db "$url" >"$dir/verify.out" 2>&1 || fail "the audit trail does not verify: $(cat "$dir/verify.out")"
[ "$(q "SELECT count(*) FROM audit_events WHERE action = 'trm.received'")" = "$N" ] ||
	fail "the trail does not hold one trm.received per offer"
echo "two-serve: $N offers applied once each, $N acknowledgements back in $posts posts, A killed -9 $killed, B took over; audit trail verifies"
