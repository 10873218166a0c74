#!/usr/bin/env bash
# Failover (issue 20): a primary and a synchronous streaming replica on this machine, `ponte
# serve` on both through one multi-host URL, as docs/deploy.md sets them up:
# - cases written through the API while the primary is killed with -9 (every one of its
#   processes, as when its machine stops), the replica then promoted with pg_ctl promote;
# - the same `ponte serve` process, never restarted, writes and reads again on the promoted
#   server: its connections are made again by themselves (src/store/pg.c);
# - every case acknowledged (201), before the kill and after, is on the promoted server, each
#   with its case.create audit event, and the audit chain verifies: no write half-applied;
#   a write cut by the kill was refused (500/503), never acknowledged, and /healthz said 503;
# - the wrong way: the standby alone is not served (Ponte records every access in the audit
#   trail, which a read-only standby cannot take).
# Both clusters live in temporary folders, listen only on Unix sockets there, and are owned by
# the unprivileged postgres account when run as root (as tests/pg/cluster.sh); every wait is
# bounded. Needs nothing from tests/pg/cluster.sh's shared server.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PONTE_BIN:-build/ponte}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "failover.sh: PostgreSQL server binaries missing" >&2; exit 1; }
as_owner() { # bounded: no step of the drill waits for ever
	if [ "$(id -u)" -eq 0 ]; then timeout --foreground 90 runuser -u postgres -- "$@"; else timeout --foreground 90 "$@"; fi
}
user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
dir=$(mktemp -d /tmp/ponte-failover.XXXXXX)
chmod 0711 "$dir"
mkdir -p "$dir/p" "$dir/r"
mkdir -m 0700 "$dir/files"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/p" "$dir/r"
pid=
writers=()
cleanup() {
	for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	for c in p r; do
		as_owner "$bindir/pg_ctl" -D "$dir/$c/data" -m immediate -w stop >/dev/null 2>&1 || true
	done
	[ -n "${PONTE_FAILOVER_KEEP:-}" ] && cp "$dir"/*.log "$PONTE_FAILOVER_KEEP"/ 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "failover.sh: $*" >&2
	tail -5 "$dir/serve.log" >&2 2>/dev/null || true
	exit 1
}
psql_on() { # socket-folder sql -> the answer, unaligned
	as_owner "$bindir/psql" -X -qAt "postgresql:///ponte?host=$1&user=$user" -c "$2"
}
settings="-c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=60"

# The primary.
as_owner "$bindir/initdb" -D "$dir/p/data" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 \
	>"$dir/initdb.log" 2>&1 || fail "initdb: $(tail -3 "$dir/initdb.log")"
as_owner "$bindir/pg_ctl" -D "$dir/p/data" -l "$dir/p/server.log" -w -t 60 \
	-o "$settings -c unix_socket_directories='$dir/p' -c wal_level=replica" start >/dev/null ||
	fail "the primary did not start: $(tail -3 "$dir/p/server.log")"
as_owner "$bindir/createdb" -h "$dir/p" -U "$user" ponte

# The replica: a base backup of the primary, streaming from it as replica1, hot standby.
as_owner "$bindir/pg_basebackup" -h "$dir/p" -U "$user" -D "$dir/r/data" -R -X stream -c fast \
	>"$dir/basebackup.log" 2>&1 || fail "pg_basebackup: $(tail -3 "$dir/basebackup.log")"
echo "primary_conninfo = 'host=$dir/p user=$user application_name=replica1'" |
	as_owner tee -a "$dir/r/data/postgresql.auto.conf" >/dev/null
as_owner "$bindir/pg_ctl" -D "$dir/r/data" -l "$dir/r/server.log" -w -t 60 \
	-o "$settings -c unix_socket_directories='$dir/r' -c hot_standby=on" start >/dev/null ||
	fail "the replica did not start: $(tail -3 "$dir/r/server.log")"
# Synchronous replication to it (docs/deploy.md): a commit is acknowledged only once the
# replica has it on disk. Set once the replica streams, or the primary's commits would wait.
psql_on "$dir/p" "ALTER SYSTEM SET synchronous_standby_names = 'replica1'" >/dev/null
psql_on "$dir/p" "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 1 200); do
	[ "$(psql_on "$dir/p" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica1'")" = sync ] && break
	sleep 0.1
done
[ "$(psql_on "$dir/p" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica1'")" = sync ] ||
	fail "the replica is not a synchronous standby"
[ "$(psql_on "$dir/r" "SELECT pg_is_in_recovery()")" = t ] || fail "the replica is not in recovery"

# Ponte on the primary, through a URL naming both servers: libpq takes the one that accepts
# writes, at start and at each reconnection.
url="postgresql:///ponte?host=$dir/p,$dir/r&user=$user&target_session_attrs=read-write&connect_timeout=3"
PW=Ponte-demo-Lisboa-2026
"$BIN" init --db "$url" --key "$dir/ponte.key" --demo >"$dir/init.log" 2>&1 ||
	fail "init on the primary: $(tail -3 "$dir/init.log")"

# The wrong way first: the standby alone, read-only, is refused with a reason.
standby="postgresql:///ponte?host=$dir/r&user=$user"
rc=0
"$BIN" serve --db "$standby" --key "$dir/ponte.key" --files "$dir/files" \
	--listen 127.0.0.1:0 --threads 2 >"$dir/standby.log" 2>&1 &
spid=$!
for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$spid" 2>/dev/null; then
	kill "$spid"; wait "$spid" 2>/dev/null || true
	fail "serve ran on a read-only standby"
fi
wait "$spid" || rc=$?
[ "$rc" = 1 ] || fail "serve on the standby should exit 1, got $rc"
grep -q "standby" "$dir/standby.log" || fail "serve on the standby did not say why: $(cat "$dir/standby.log")"

# Below the kernel's ephemeral range, which curl's own connections take (tests/pg/copy.sh).
port=$((20000 + RANDOM % 10000))
U="http://127.0.0.1:$port"
"$BIN" serve --db "$url" --key "$dir/ponte.key" --files "$dir/files" \
	--listen "127.0.0.1:$port" --threads 4 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 1 300); do
	curl -fs "$U/healthz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || fail "serve exited"
	sleep 0.05
done
token=$(curl -s -X POST "$U/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"case.worker@demo.ponte.example\",\"password\":\"$PW\"}" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "sign-in refused"

# Writers: cases created one after another until told to stop; each answer recorded.
writer() { # n
	local i=0 out
	while [ ! -e "$dir/stop" ]; do
		i=$((i + 1))
		out=$(curl -s -o /dev/null -w '%{http_code} %header{location}' --max-time 20 \
			-X POST "$U/api/v1/cases" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' \
			-d "{\"person\":{\"prs_FirstName\":\"Failover $1-$i\",\"prs_SecondName\":\"Test\",\"prs_Gender\":\"Feminine\"}}" \
			2>/dev/null) || out="000 curl"
		case "$out" in
		201*) echo "${out##*/}" >>"$dir/acked.$1" ;;
		*) echo "${out%% *}" >>"$dir/refused.$1" ;;
		esac
	done
}
acked() { cat "$dir"/acked.* 2>/dev/null | sort -un; }
for w in 1 2 3; do writer "$w" & writers+=($!); done
for _ in $(seq 1 300); do [ "$(acked | wc -l)" -ge 30 ] && break; sleep 0.1; done
[ "$(acked | wc -l)" -ge 30 ] || fail "fewer than 30 cases written before the failover"

# The primary's machine stops: its postmaster and every server process, killed with -9.
pm=$(head -1 "$dir/p/data/postmaster.pid")
acked >"$dir/before-kill"
kill -9 "$pm" $(ps -o pid= --ppid "$pm") 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$pm" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pm" 2>/dev/null && fail "the primary survived kill -9"
n_before=$(wc -l <"$dir/before-kill")
# Writes refused, not acknowledged, while no server accepts them.
sleep 1
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST "$U/api/v1/cases" \
	-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"person":{"prs_FirstName":"Nowhere","prs_SecondName":"Test","prs_Gender":"Feminine"}}')
case "$code" in 500 | 503) ;; *) fail "a write with no primary answered $code" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$U/healthz")
[ "$code" = 503 ] || fail "healthz with no primary answered $code, not 503"

# Promotion, then the same serve process writes again by itself.
as_owner "$bindir/pg_ctl" -D "$dir/r/data" -w -t 60 promote >/dev/null || fail "promote failed"
[ "$(psql_on "$dir/r" "SELECT pg_is_in_recovery()")" = f ] || fail "the replica was not promoted"
promoted=$(acked | wc -l)
for _ in $(seq 1 300); do [ "$(acked | wc -l)" -ge $((promoted + 30)) ] && break; sleep 0.1; done
[ "$(acked | wc -l)" -ge $((promoted + 30)) ] || fail "serve did not write again after the promotion"
touch "$dir/stop"
for w in "${writers[@]}"; do wait "$w" 2>/dev/null || true; done
writers=()
kill -0 "$pid" 2>/dev/null || fail "serve died during the failover"

# Every acknowledged case on the promoted server, each with its audit event; the chain whole.
all=$(acked | paste -sd, -)
n_all=$(acked | wc -l)
found=$(psql_on "$dir/r" "SELECT count(*) FROM cases WHERE id IN ($all)")
[ "$found" = "$n_all" ] || fail "$n_all cases acknowledged, $found on the promoted server"
untraced=$(psql_on "$dir/r" "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM \
audit_events a WHERE a.action = 'case.create' AND a.object_id = CAST(c.id AS TEXT))")
[ "$untraced" = 0 ] || fail "$untraced cases without their case.create event: a write half-applied"
"$BIN" audit verify --db "$url" >"$dir/verify.log" 2>&1 || fail "audit verify: $(cat "$dir/verify.log")"
refused=$(cat "$dir"/refused.* 2>/dev/null | wc -l)
bad=$(cat "$dir"/refused.* 2>/dev/null | grep -cv '^50[03]$' || true)
[ "$bad" = 0 ] || fail "writes during the failover answered other than 500/503: $(sort "$dir"/refused.* | uniq -c)"
# A case written before the kill, read through the same process after the promotion.
first=$(head -1 "$dir/before-kill")
curl -fs -H "Authorization: Bearer $token" "$U/api/v1/cases/$first" | grep -q '"Failover ' ||
	fail "case $first unreadable after the failover"
curl -fs "$U/healthz" >/dev/null || fail "healthz after the failover"
grep -q store_reconnected "$dir/serve.log" || fail "no reconnection logged"
echo "failover: $n_before cases acknowledged before kill -9 of the primary, $n_all in all; every one on the promoted replica with its audit event; $refused writes refused (500/503) in between; the same serve process reconnected"
