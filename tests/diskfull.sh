#!/usr/bin/env bash
# A full disk (issue 17): `ponte serve` and `ponte obs import` on a small filesystem (a
# 16 MiB tmpfs mounted by the test in a temporary directory, unmounted at the end; skipped
# with a message where mounting is not permitted) that is then filled up.
#
#   bash tests/diskfull.sh      (part of tests/reliability.sh; about 30 s)
#
# While the disk is full:
# - cases created through the API are refused with 507 and a JSON error in the user's
#   language (the case worker's Portuguese), never 201 without the case, never 500;
# - signing in (which writes a session) gets the 507 page in the browser's French;
# - `ponte obs import` exits 1 saying the disk is full, and writes no record;
# - reads go on: a case through the API, the sign-in page, /healthz.
# Once space is freed, without a restart: cases are created again, the import completes.
# At the end PRAGMA integrity_check is ok, `ponte audit verify` passes, and every case has its
# case.create event (nothing half written).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${PONTE_BIN:-build/ponte}")
dir=$(mktemp -d)
mnt=$dir/small
mkdir "$mnt"
if ! mount -t tmpfs -o size=16m,mode=0700 ponte-diskfull "$mnt" 2>/dev/null; then
	rmdir "$mnt"
	rm -rf "$dir"
	echo "diskfull: skipped: this user may not mount a small filesystem (run as root to check a full disk)"
	exit 0
fi
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "diskfull: $*" >&2; exit 1; }
q() { sqlite3 -cmd ".timeout 5000" "$db" "$1"; }

db=$mnt/p.db
PW=Ponte-demo-Lisboa-2026
"$BIN" init --db "$db" --demo >/dev/null 2>&1 || fail "init failed"
"$BIN" settings set --db "$db" --name require_2fa_for_flagged_roles --value 0 >/dev/null
port=$((20000 + RANDOM % 20000))
U=http://127.0.0.1:$port
"$BIN" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do curl -fs "$U/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
tok=$(curl -fs -X POST "$U/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"case.worker@demo.ponte.example\",\"password\":\"$PW\"}" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$tok" ] || fail "API login refused"
new_case() { # status, the answer in $dir/answer
	curl -s -o "$dir/answer" -w '%{http_code}' -X POST "$U/api/v1/cases" \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		-H 'Accept-Language: fr' \
		-d '{"person":{"prs_FirstName":"Disque","prs_SecondName":"Plein","prs_Gender":"Feminine"}}'
}
first=$(q "SELECT coalesce(max(id), 0) FROM cases")
[ "$(new_case)" = 201 ] || fail "a case could not be created before the disk was full"
id=$(q "SELECT max(id) FROM cases")
sample=tests/data/ctdc_format_synthetic_sample.csv
records() { q "SELECT count(*) FROM obs_records WHERE provider_id = (SELECT id FROM organisations WHERE code = 'PT-OTSH')"; }

# Fill the disk: first big blocks, then pages, until nothing is left.
dd if=/dev/zero of="$mnt/fill" bs=1M 2>/dev/null || true
dd if=/dev/zero of="$mnt/fill2" bs=4k 2>/dev/null || true
echo "diskfull: filled, $(df -k --output=avail "$mnt" | tail -1 | tr -d ' ') KiB left"

# Writes through the API: refused with 507 in French once the database needs room.
status=201
made=0
for _ in $(seq 1 300); do
	status=$(new_case)
	[ "$status" = 201 ] || break
	made=$((made + 1))
done
[ "$status" = 507 ] || fail "a case on a full disk: $status instead of 507 ($(cat "$dir/answer"))"
grep -q '"code":"insufficient_storage"' "$dir/answer" || fail "507 without its code: $(cat "$dir/answer")"
# The case worker of the Portuguese demonstration reads Portuguese (the account's language
# comes before Accept-Language).
grep -q 'disco do servidor' "$dir/answer" || fail "the 507 message is not in Portuguese: $(cat "$dir/answer")"
echo "diskfull: API write refused after $made more cases: $(cat "$dir/answer")"

# Signing in writes a session: the page says the disk is full, in French.
code=$(curl -s -o "$dir/page" -w '%{http_code}' -X POST "$U/login" -H 'Accept-Language: fr' \
	-d "email=case.worker%40demo.ponte.example&password=$PW")
[ "$code" = 507 ] || fail "signing in on a full disk: $code instead of 507"
grep -q 'lang="fr"' "$dir/page" && grep -q 'disque' "$dir/page" ||
	fail "the 507 page is not the French one: $(head -c 300 "$dir/page")"

# Reads go on.
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/cases/$id" -H "Authorization: Bearer $tok")" = 200 ] ||
	fail "a case could not be read on a full disk"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/login" -H 'Accept-Language: fr')" = 200 ] ||
	fail "the sign-in page could not be read on a full disk"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" = 200 ] || fail "/healthz on a full disk"

# The command line: a clear error, exit status 1, no record written.
before=$(records)
set +e
"$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$sample" >"$dir/imp.out" 2>"$dir/imp.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "obs import on a full disk exited $rc: $(cat "$dir/imp.err")"
grep -q "disk is full" "$dir/imp.err" || fail "obs import on a full disk did not say so: $(cat "$dir/imp.err")"
[ "$(records)" -eq "$before" ] || fail "obs import on a full disk wrote records"
echo "diskfull: obs import: exit 1, $(tail -1 "$dir/imp.err")"

# Space freed: the same server and the same command work again.
rm -f "$mnt/fill" "$mnt/fill2"
[ "$(new_case)" = 201 ] || fail "no case created once space was freed: $(cat "$dir/answer")"
"$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$sample" >"$dir/imp.out" 2>&1 ||
	fail "obs import failed once space was freed: $(cat "$dir/imp.out")"
[ "$(records)" -eq $((before + 1000)) ] || fail "the import after the disk was freed is not whole: $before, then $(records): $(cat "$dir/imp.out")"
kill -TERM "$pid"
wait "$pid" || true
pid=
[ "$(q "PRAGMA integrity_check")" = ok ] || fail "integrity_check failed"
"$BIN" audit verify --db "$db" >"$dir/verify" 2>&1 || fail "audit verify failed: $(cat "$dir/verify")"
untraced=$(q "SELECT count(*) FROM cases c WHERE c.id > $first AND NOT EXISTS (SELECT 1 FROM audit_events a
	WHERE a.action = 'case.create' AND a.object_id = CAST(c.id AS TEXT))")
[ "$untraced" -eq 0 ] || fail "$untraced cases without their case.create event"
echo "diskfull: ok (reads served while full; writes and the import recovered once space was freed)"
