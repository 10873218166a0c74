#!/usr/bin/env bash
# Crash checks (issue 17): SIGKILL at a random moment of each long write that an operator or
# the server makes, then proof that nothing committed was lost and nothing was half applied.
#
#   bash tests/crash.sh short   (2 rounds of each; part of tests/reliability.sh short)
#   bash tests/crash.sh long    (5 rounds of each)
#   CRASH_ONLY="import keys master migrate delivery peer"  some parts only
#
# After every kill: PRAGMA integrity_check is ok and `ponte audit verify` passes, and
# - observatory import (`ponte obs import` of 10,000 records): the provider has either none
#   or all of the file's records, with exactly one obs.import success event when it has them
#   (written in the same transaction); run again, the import completes; a third run adds
#   nothing. A failure to write the audit event rolls the import back (a trigger refuses it).
# - key rotation (`ponte keys rotate --batch 20` over 1,000 cases): every ciphertext names a
#   key version that is still in data_keys and not retired, one key is current; the resumed
#   rotation completes, and a second full rotation re-encrypts every value, so every value
#   decrypts; the names that the API shows of fifty cases are the ones it showed before.
# - master key replacement (`ponte keys replace-master` on a copy of that database, killed
#   anywhere from its start to half past a whole run's time): exactly one of the two key files
#   opens the database, with one keys.replace_master event if it is the new one; run again
#   when it is the old one, it completes; the old file then opens nothing, and the names of
#   fifty cases read through the API (with the last key file) are the ones read before.
# - migration (`ponte serve --backup-dir` on a database two migrations behind, killed while
#   it backs up or migrates): each migration is there whole or not at all (its recorded row
#   and its schema change agree); the restart completes the upgrade, every case is kept.
# - transnational delivery (two `ponte serve` on loopback, Portugal offering cases to Niger):
#   the sender or the receiver killed while offers are posted and delivered; after restarts,
#   every offer that Portugal acknowledged (201) arrives in Niger exactly once: as many
#   incoming referrals as offers, no duplicate, and Portugal sees each one delivered.
# - peer key rotation (`ponte peer rotate` while both run): afterwards a new offer still
#   reaches Niger, and Niger's acknowledgement reaches Portugal (old or new keys, never
#   neither).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-short}
case "$MODE" in
short) ROUNDS=2 ;;
long) ROUNDS=5 ;;
*) echo "usage: crash.sh short|long" >&2; exit 2 ;;
esac
ROUNDS=${CRASH_ROUNDS:-$ROUNDS}
ONLY=${CRASH_ONLY:-}
BIN=${PONTE_BIN:-build/ponte}
BIN=$(realpath "$BIN")
for tool in curl sqlite3 shuf; do
	command -v $tool >/dev/null || { echo "crash: $tool is missing" >&2; exit 1; }
done
dir=$(mktemp -d)
declare -A pid=()
cleanup() {
	for p in "${pid[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
	jobs -p | xargs -r kill -9 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "crash: $*" >&2; exit 1; }
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
sleep_ms() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
q() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }

# Integrity and the audit chain of a database after a kill.
check_db() { # db what
	[ "$(q "$1" "PRAGMA integrity_check")" = ok ] || fail "$2: integrity_check failed"
	"$BIN" audit verify --db "$1" >"$dir/verify.out" 2>&1 ||
		fail "$2: audit verify failed: $(cat "$dir/verify.out")"
}

# Run a command in the background and kill it after ms milliseconds; "killed" or "finished".
kill_after() { # ms log command...
	local ms=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 &
	local p=$!
	sleep_ms "$ms"
	if kill -9 "$p" 2>/dev/null; then
		wait "$p" 2>/dev/null || true
		echo killed
	else
		wait "$p" 2>/dev/null || true
		echo finished
	fi
}

PW=Ponte-demo-Lisboa-2026
P_PT=$((20000 + RANDOM % 20000))
P_NE=$((P_PT + 1))
# Two instances, made in parallel (the demo's accounts cost a few seconds of hashing each).
for cc in PT NE; do
	"$BIN" init --db "$dir/$cc.db" --country $cc --name "Crash $cc" --demo >/dev/null 2>&1 &
done
wait
for cc in PT NE; do
	[ -s "$dir/$cc.db" ] || fail "init of $cc failed"
	"$BIN" settings set --db "$dir/$cc.db" --name require_2fa_for_flagged_roles --value 0 >/dev/null
done

# ---- Observatory import ---------------------------------------------------------------
if want import; then
	sample=tests/data/ctdc_format_synthetic_sample.csv
	db=$dir/PT.db
	provider="(SELECT id FROM organisations WHERE code = 'PT-OTSH')"
	records() { q "$db" "SELECT count(*) FROM obs_records WHERE provider_id = $provider"; }
	events() { q "$db" "SELECT count(*) FROM audit_events WHERE action = 'obs.import' AND outcome = 'success'"; }
	# Each round a file the database has not seen: the sample ten times, shuffled.
	make_file() {
		{
			head -1 "$sample"
			for _ in $(seq 1 10); do tail -n +2 "$sample"; done | shuf
		} >"$dir/big.csv"
	}
	file_records=10000
	# The audit event cannot be written: the import is refused whole.
	make_file
	before=$(records)
	q "$db" "CREATE TRIGGER crash_no_import_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'obs.import' AND NEW.outcome = 'success' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
	t0=$(date +%s%N)
	if "$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$dir/big.csv" >"$dir/imp.out" 2>&1; then
		fail "import: succeeded although its audit event could not be written"
	fi
	# That run read, checked and wrote everything: the kills fall from a third of its time to
	# a third past its end, so some land after the commit.
	took=$((($(date +%s%N) - t0) / 1000000))
	q "$db" "DROP TRIGGER crash_no_import_audit"
	[ "$(records)" -eq "$before" ] || fail "import: records kept although the audit event failed"
	echo "crash import: an audit event that cannot be written rolls the whole import back (import: $took ms)"
	for round in $(seq 1 "$ROUNDS"); do
		make_file
		before=$(records) ev=$(events)
		ms=$((took / 3 + RANDOM % (took + 1)))
		how=$(kill_after $ms "$dir/imp.out" \
			"$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$dir/big.csv")
		check_db "$db" "import round $round"
		after=$(records) ev_after=$(events)
		if [ "$after" -eq "$before" ]; then
			[ "$ev_after" -eq "$ev" ] || fail "import round $round: an audit event without the records"
			state=none
		elif [ "$after" -eq $((before + file_records)) ]; then
			[ "$ev_after" -eq $((ev + 1)) ] ||
				fail "import round $round: records committed without their obs.import event"
			state=all
		else
			fail "import round $round: half an import ($((after - before)) of $file_records records)"
		fi
		t0=$(date +%s%N)
		"$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$dir/big.csv" >"$dir/imp.out" 2>&1 ||
			fail "import round $round: the import run again failed: $(tail -2 "$dir/imp.out")"
		[ "$state" = all ] || took=$((($(date +%s%N) - t0) / 1000000))
		[ "$(records)" -eq $((before + file_records)) ] || fail "import round $round: not complete after a rerun"
		"$BIN" obs import --db "$db" --format ctdc --provider PT-OTSH "$dir/big.csv" >"$dir/imp.out" 2>&1
		grep -q '"imported":0' "$dir/imp.out" || fail "import round $round: a third run added records"
		echo "crash import $round: $how after $ms ms (a full import: $took ms), the provider had $state of the file's records; rerun complete, third run adds nothing"
	done
fi

# ---- Key rotation ---------------------------------------------------------------------
if want keys; then
	db=$dir/PT.db
	"$BIN" demo --db "$db" --cases 1000 --password "$PW" >/dev/null 2>&1 || fail "demo cases failed"
	# What the API shows of twenty cases before any rotation.
	"$BIN" serve --db "$db" --listen "127.0.0.1:$P_PT" --threads 2 2>>"$dir/pt.log" &
	pid[PT]=$!
	for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$P_PT/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
	tok=$(curl -fs -X POST "http://127.0.0.1:$P_PT/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"supervisor.pt@demo.ponte.example\",\"password\":\"$PW\"}" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$tok" ] || fail "keys: API login refused"
	names() { # the first names and surnames of fifty cases, as the supervisor reads them
		curl -fs "http://127.0.0.1:$P_PT/api/v1/cases?limit=50" -H "Authorization: Bearer $tok" |
			grep -o '"prs_FirstName":"[^"]*","prs_SecondName":"[^"]*"' | sort
	}
	names >"$dir/names.before"
	[ "$(grep -c prs_FirstName "$dir/names.before")" -ge 40 ] || fail "keys: the API did not show the cases' names"
	kill -TERM "${pid[PT]}"; wait "${pid[PT]}" || true; pid[PT]=
	# Versions named by ciphertexts that are not an usable key: must stay 0.
	orphans() {
		q "$db" "SELECT count(*) FROM (SELECT substr(first_name_enc, 1, 4) v FROM cases UNION ALL
			SELECT substr(second_name_enc, 1, 4) FROM cases WHERE second_name_enc IS NOT NULL UNION ALL
			SELECT substr(email_enc, 1, 4) FROM users UNION ALL SELECT substr(name_enc, 1, 4) FROM users)
			WHERE hex(v) NOT IN (SELECT printf('%08X', version) FROM data_keys WHERE state <> 'retired')"
	}
	for round in $(seq 1 "$ROUNDS"); do
		how=$(kill_after $((150 + RANDOM % 1500)) "$dir/rot.out" "$BIN" keys rotate --db "$db" --batch 20)
		check_db "$db" "keys round $round"
		[ "$(q "$db" "SELECT count(*) FROM data_keys WHERE state = 'current'")" -eq 1 ] ||
			fail "keys round $round: not exactly one current key"
		[ "$(orphans)" -eq 0 ] || fail "keys round $round: values under a key that is gone"
		mid=$(q "$db" "SELECT count(*) FROM data_keys WHERE state = 'retiring'")
		"$BIN" keys rotate --db "$db" --batch 200 >"$dir/rot.out" 2>&1 ||
			fail "keys round $round: the resumed rotation failed: $(tail -2 "$dir/rot.out")"
		[ "$(q "$db" "SELECT count(*) FROM data_keys WHERE state = 'retiring'")" -eq 0 ] ||
			fail "keys round $round: a key still retiring after the rotation completed"
		echo "crash keys $round: $how ($mid key retiring), the rotation resumed and completed"
	done
	# A second full rotation decrypts every value under the last key.
	"$BIN" keys rotate --db "$db" --batch 500 >"$dir/rot.out" 2>&1 ||
		fail "keys: a full rotation after the crashes failed: $(tail -2 "$dir/rot.out")"
	cur=$(q "$db" "SELECT printf('%08X', version) FROM data_keys WHERE state = 'current'")
	[ "$(q "$db" "SELECT count(*) FROM cases WHERE hex(substr(first_name_enc, 1, 4)) <> '$cur'")" -eq 0 ] ||
		fail "keys: values not under the current key after a full rotation"
	"$BIN" serve --db "$db" --listen "127.0.0.1:$P_PT" --threads 2 2>>"$dir/pt.log" &
	pid[PT]=$!
	for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$P_PT/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
	names >"$dir/names.after"
	kill -TERM "${pid[PT]}"; wait "${pid[PT]}" || true; pid[PT]=
	cmp -s "$dir/names.before" "$dir/names.after" || fail "keys: names read through the API changed"
	echo "crash keys: a further full rotation re-encrypted every value; the cases' names read back unchanged"
fi

# ---- Master key replacement -----------------------------------------------------------
if want master; then
	db=$dir/master.db
	rm -f "$db" "$db.key" "$dir"/master-*.key
	# The demo's accounts with the known password and its cases (made by the keys part too).
	[ "$(q "$dir/PT.db" "SELECT count(*) FROM cases")" -gt 500 ] ||
		"$BIN" demo --db "$dir/PT.db" --cases 1000 --password "$PW" >/dev/null 2>&1 || fail "master: demo cases failed"
	q "$dir/PT.db" "VACUUM INTO '$db'"
	cp "$dir/PT.db.key" "$db.key"
	opens() { # key file: 0 when it opens the database's keys
		"$BIN" user list --db "$db" --key "$1" >/dev/null 2>&1
	}
	replaced() { q "$db" "SELECT count(*) FROM audit_events WHERE action = 'keys.replace_master' AND outcome = 'success'"; }
	# The names of fifty cases as the supervisor reads them through the API, with a key file.
	names_with() { # key out
		"$BIN" serve --db "$db" --key "$1" --listen "127.0.0.1:$P_PT" --threads 2 2>>"$dir/master.log" &
		pid[PT]=$!
		for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$P_PT/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
		local t
		t=$(curl -fs -X POST "http://127.0.0.1:$P_PT/api/v1/auth/login" -H 'Content-Type: application/json' \
			-d "{\"email\":\"supervisor.pt@demo.ponte.example\",\"password\":\"$PW\"}" |
			sed -n 's/.*"token":"\([^"]*\)".*/\1/p') || true
		[ -n "$t" ] || fail "master: API login refused with $1 (the e-mail index must still match)"
		curl -fs "http://127.0.0.1:$P_PT/api/v1/cases?limit=50" -H "Authorization: Bearer $t" |
			grep -o '"prs_FirstName":"[^"]*","prs_SecondName":"[^"]*"' | sort >"$2"
		kill -TERM "${pid[PT]}"; wait "${pid[PT]}" || true; pid[PT]=
	}
	key=$db.key
	names_with "$key" "$dir/master.before"
	[ "$(grep -c prs_FirstName "$dir/master.before")" -ge 10 ] || fail "master: the API did not show the cases' names"
	# One whole run, timed: the kills fall anywhere from the start to half past its end.
	t0=$(date +%s%N)
	"$BIN" keys replace-master --db "$db" --key "$key" --new-key "$dir/master-0.key" >"$dir/master.out" 2>&1 ||
		fail "master: the replacement failed: $(cat "$dir/master.out")"
	took=$((($(date +%s%N) - t0) / 1000000))
	opens "$key" && fail "master: the old key file still opens the database"
	key=$dir/master-0.key
	for round in $(seq 1 "$ROUNDS"); do
		new=$dir/master-$round.key ev=$(replaced)
		ms=$((RANDOM % (took * 3 / 2 + 1)))
		how=$(kill_after $ms "$dir/master.out" "$BIN" keys replace-master --db "$db" --key "$key" --new-key "$new")
		check_db "$db" "master round $round"
		if opens "$key"; then
			[ -e "$new" ] && opens "$new" && fail "master round $round: both key files open the database"
			[ "$(replaced)" -eq "$ev" ] || fail "master round $round: an audit event without the replacement"
			state="the old file opens it"
			# As the refusal says: remove the new file left behind and run again.
			rm -f "$new"
			"$BIN" keys replace-master --db "$db" --key "$key" --new-key "$new" >"$dir/master.out" 2>&1 ||
				fail "master round $round: the run again failed: $(cat "$dir/master.out")"
		elif [ -e "$new" ] && opens "$new"; then
			[ "$(replaced)" -eq $((ev + 1)) ] || fail "master round $round: replaced without its audit event"
			state="the new file opens it"
		else
			fail "master round $round: neither key file opens the database"
		fi
		opens "$key" && fail "master round $round: the old key file still opens the database"
		[ "$(stat -c %a "$new")" = 600 ] || fail "master round $round: the new key file is not 0600"
		key=$new
		echo "crash master $round: $how after $ms ms (a whole run: $took ms), $state; the replacement completed"
	done
	check_db "$db" "master"
	names_with "$key" "$dir/master.after"
	cmp -s "$dir/master.before" "$dir/master.after" || fail "master: names read through the API changed"
	echo "crash master: after $ROUNDS replacements killed at random moments one key file opens the database; the cases' names read back unchanged"
fi

# ---- Migration ------------------------------------------------------------------------
if want migrate; then
	# A database thirteen migrations behind, back to 0039, with what each of 0040-0052 made undone.
	downgrade() { # db
		# From the newest back: 0052 (nothing on SQLite), 0051, 0050, 0049, 0048 (the name's
		# blind index comes back), 0047 (its indexes replaced 0040's), 0045, 0044, 0043, 0041,
		# 0040 (0042 and 0046 apply again over themselves).
		q "$1" "DROP TABLE index_keys; DROP TABLE referral_deliveries; DELETE FROM settings WHERE key = 'time_zone';
			ALTER TABLE cases ADD COLUMN name_index BLOB; CREATE INDEX cases_name ON cases(name_index);
			DROP TABLE case_list_filters; DROP INDEX cases_own_find;
			DROP INDEX cases_org_find; DROP INDEX cases_country_find; DROP INDEX cases_all_find;
			ALTER TABLE cases DROP COLUMN risk;
			DROP TABLE language_packs; DELETE FROM settings WHERE key = 'second_language';
			ALTER TABLE trm_peers DROP COLUMN keys_at; ALTER TABLE sessions DROP COLUMN flash;
			DROP TABLE second_factor_resets; ALTER TABLE users DROP COLUMN must_enrol;
			CREATE INDEX cases_org_updated ON cases(organisation_id, updated_at);
			CREATE INDEX cases_country_updated ON cases(country, updated_at);
			CREATE INDEX cases_owner_updated ON cases(owner_id, updated_at);
			DELETE FROM schema_migrations WHERE version >= 40; VACUUM"
	}
	latest=$(q "$dir/PT.db" "SELECT max(version) FROM schema_migrations")
	[ "$(q "$dir/PT.db" "SELECT count(*) FROM cases")" -gt 500 ] ||
		"$BIN" demo --db "$dir/PT.db" --cases 1000 --password "$PW" >/dev/null 2>&1
	cases=$(q "$dir/PT.db" "SELECT count(*) FROM cases")
	took=1500
	for round in $(seq 1 "$ROUNDS"); do
		db=$dir/mig.db
		rm -rf "$db" "$db-wal" "$db-shm" "$dir/backups"
		cp "$dir/PT.db" "$db"
		cp "$dir/PT.db.key" "$db.key"
		downgrade "$db"
		mkdir -p "$dir/backups"
		[ "$(q "$db" "SELECT max(version) FROM schema_migrations")" -eq 39 ] || fail "migrate: downgrade failed"
		ms=$((took / 4 + RANDOM % (took + 1)))
		how=$(kill_after $ms "$dir/mig.log" \
			"$BIN" serve --db "$db" --listen "127.0.0.1:$P_PT" --threads 2 --backup-dir "$dir/backups")
		# (`ponte audit verify` refuses a database that is not upgraded: checked after the restart)
		[ "$(q "$db" "PRAGMA integrity_check")" = ok ] || fail "migrate round $round: integrity_check failed"
		v=$(q "$db" "SELECT max(version) FROM schema_migrations")
		# 0040's indexes exist from 0040 until 0047 replaces them.
		has40=$(q "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'cases_org_list'")
		has41=$(q "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'second_factor_resets'")
		col41=$(q "$db" "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'must_enrol'")
		has47=$(q "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'case_list_filters'")
		col47=$(q "$db" "SELECT count(*) FROM pragma_table_info('cases') WHERE name = 'risk'")
		col48=$(q "$db" "SELECT count(*) FROM pragma_table_info('cases') WHERE name = 'name_index'")
		has48=$(q "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'cases_name'")
		[ $((v >= 40 && v < 47)) -eq "$has40" ] ||
			fail "migrate round $round: migration 0040 half applied (at $v)"
		[ $((v >= 41)) -eq "$has41" ] && [ "$has41" -eq "$col41" ] ||
			fail "migrate round $round: migration 0041 half applied (at $v)"
		[ $((v >= 47)) -eq "$has47" ] && [ "$has47" -eq "$col47" ] ||
			fail "migrate round $round: migration 0047 half applied (at $v)"
		[ $((v < 48)) -eq "$col48" ] && [ "$col48" -eq "$has48" ] ||
			fail "migrate round $round: migration 0048 half applied (at $v)"
		[ "$(q "$db" "SELECT count(*) FROM cases")" -eq "$cases" ] || fail "migrate round $round: cases lost"
		# Restart: the upgrade completes.
		t0=$(date +%s%N)
		"$BIN" serve --db "$db" --listen "127.0.0.1:$P_PT" --threads 2 --backup-dir "$dir/backups" \
			>"$dir/mig2.log" 2>&1 &
		pid[MIG]=$!
		up=
		for _ in $(seq 1 1500); do
			curl -fs "http://127.0.0.1:$P_PT/healthz" >/dev/null 2>&1 && { up=1; break; }
			kill -0 "${pid[MIG]}" 2>/dev/null || break
			sleep 0.02
		done
		[ -n "$up" ] || fail "migrate round $round: the restarted server did not come up: $(tail -3 "$dir/mig2.log")"
		# The next kill falls from a quarter of a whole start (backup, migrations) to a quarter
		# past it.
		[ "$v" -eq "$latest" ] || took=$((($(date +%s%N) - t0) / 1000000))
		partial=$(find "$dir/backups" -name '*.partial*' | wc -l)
		kill -TERM "${pid[MIG]}"; wait "${pid[MIG]}" || true; pid[MIG]=
		check_db "$db" "migrate round $round, after the restart"
		[ "$(q "$db" "SELECT max(version) FROM schema_migrations")" -eq "$latest" ] ||
			fail "migrate round $round: not at the latest migration after the restart"
		[ "$(q "$db" "SELECT count(*) FROM cases")" -eq "$cases" ] || fail "migrate round $round: cases lost"
		echo "crash migrate $round: $how after $ms ms at migration $v; the restart upgraded to $latest with all $cases cases ($partial partial backup files left)"
	done
fi

# ---- Transnational delivery and peer key rotation -------------------------------------
if want delivery || want peer; then
	for cc in PT NE; do
		port=$P_PT; [ $cc = NE ] && port=$P_NE
		"$BIN" peer id --db "$dir/$cc.db" --url "http://127.0.0.1:$port" >"$dir/$cc.json"
	done
	fp() { grep -o '"fingerprint":"[^"]*"' "$1" | cut -d'"' -f4; }
	iid() { grep -o '"instance_id":"[^"]*"' "$1" | cut -d'"' -f4; }
	"$BIN" peer add --db "$dir/PT.db" --identity "$dir/NE.json" --fingerprint "$(fp "$dir/NE.json")" >/dev/null
	"$BIN" peer add --db "$dir/NE.db" --identity "$dir/PT.json" --fingerprint "$(fp "$dir/PT.json")" >/dev/null
	NE_ID=$(iid "$dir/NE.json")
	start() { # PT|NE
		local port=$P_PT
		[ "$1" = NE ] && port=$P_NE
		"$BIN" serve --db "$dir/$1.db" --listen "127.0.0.1:$port" --threads 2 \
			--public-url "http://127.0.0.1:$port" 2>>"$dir/$1.log" &
		pid[$1]=$!
		for _ in $(seq 1 500); do
			curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
			kill -0 "${pid[$1]}" 2>/dev/null || fail "$1 exited: $(tail -3 "$dir/$1.log")"
			sleep 0.02
		done
		fail "$1 did not answer /healthz"
	}
	crash() { kill -9 "${pid[$1]}" 2>/dev/null || true; wait "${pid[$1]}" 2>/dev/null || true; pid[$1]=; }
	token() { # port email
		curl -fs -X POST "http://127.0.0.1:$1/api/v1/auth/login" -H 'Content-Type: application/json' \
			-d "{\"email\":\"$2\",\"password\":\"$PW\"}" | grep -o '"token":"[^"]*"' | cut -d'"' -f4
	}
	J='Content-Type: application/json'
	start PT
	start NE
	echo "crash delivery: both instances up (at ${SECONDS}s)"
	expected=0
	CW="Authorization: Bearer $(token $P_PT case.worker@demo.ponte.example)"
	FP="Authorization: Bearer $(token $P_PT focal.point@demo.ponte.example)"
	# Cases with their consents, ready to offer (not part of a crash).
	per_round=12
	prepare() { # n: write n "case consent" lines to $dir/pool
		local i id c
		: >"$dir/pool"
		for i in $(seq 1 "$1"); do
			id=$(curl -fs -X POST "http://127.0.0.1:$P_PT/api/v1/cases" -H "$CW" -H "$J" \
				-d "{\"person\":{\"prs_FirstName\":\"Crash $i\",\"prs_Gender\":\"Feminine\",\"prs_Citizenship\":[\"NE\"]}}" |
				grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
			c=$(curl -fs -X POST "http://127.0.0.1:$P_PT/api/v1/cases/$id/consents" -H "$CW" -H "$J" \
				-d '{"purpose":"transnational_referral","categories":["identity","victim"],"legal_basis":"consent","language":"ha","text_version":"v1","given_by":"person","given_on":"2026-01-10"}' |
				grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
			[ -n "$id" ] && [ -n "$c" ] || fail "delivery: could not prepare case $i"
			echo "$id $c" >>"$dir/pool"
		done
	}
	offerable() { # n: the next n prepared cases, to offer
		head -n "$1" "$dir/pool" >"$dir/offerable"
		tail -n +"$(($1 + 1))" "$dir/pool" >"$dir/pool.rest"
		mv "$dir/pool.rest" "$dir/pool"
		[ "$(wc -l <"$dir/offerable")" -eq "$1" ] || fail "delivery: no prepared case left"
	}
	prepare $((ROUNDS * per_round + ROUNDS))
	echo "crash delivery: $((ROUNDS * per_round + ROUNDS)) cases with their consents prepared (at ${SECONDS}s)"
	offer_all() { # post every prepared offer; record the acknowledged ones; stop at the first refusal
		local id c code
		while read -r id c; do
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
				"http://127.0.0.1:$P_PT/api/v1/cases/$id/transnational-referrals" -H "$FP" -H "$J" \
				-d "{\"peer\":\"$NE_ID\",\"consent\":$c}" 2>/dev/null) || return 0
			case "$code" in 201) echo "$id" >>"$dir/offered" ;; *) return 0 ;; esac
		done <"$dir/offerable"
	}
	incoming() { q "$dir/NE.db" "SELECT count(*) FROM trm_referrals WHERE direction = 'in'"; }
	# Every acknowledged offer delivered exactly once, within a minute of both running.
	settle() { # what expected
		local n d dup
		for _ in $(seq 1 600); do
			n=$(incoming)
			d=$(q "$dir/PT.db" "SELECT count(*) FROM trm_outbox WHERE type = 'referral_offer' AND state = 'pending'")
			[ "$n" -ge "$2" ] && [ "$d" -eq 0 ] && break
			sleep 0.1
		done
		[ "$d" -eq 0 ] || fail "$1: $d offers still pending after a minute"
		[ "$n" -eq "$2" ] || fail "$1: $2 offers expected in Niger, $n arrived"
		dup=$(q "$dir/NE.db" "SELECT count(*) FROM (SELECT message_id FROM trm_inbox GROUP BY message_id HAVING count(*) > 1)")
		[ "$dup" -eq 0 ] || fail "$1: duplicate messages in Niger's inbox"
	}
	expected=0
	if want delivery; then
		for round in $(seq 1 "$ROUNDS"); do
			victim=PT
			[ $((round % 2)) -eq 0 ] && victim=NE
			offerable "$per_round"
			: >"$dir/offered"
			before_out=$(q "$dir/PT.db" "SELECT count(*) FROM trm_outbox WHERE type = 'referral_offer'")
			offer_all &
			poster=$!
			sleep_ms $((200 + RANDOM % 1500))
			crash $victim
			wait $poster 2>/dev/null || true
			check_db "$dir/$victim.db" "delivery round $round"
			acked=$(sort -u "$dir/offered" | wc -l)
			# Offers committed but not acknowledged (killed before the answer) are counted
			# from Portugal's outbox: each must arrive once too.
			[ -n "${pid[PT]}" ] || start PT
			[ -n "${pid[NE]}" ] || start NE
			committed=$(($(q "$dir/PT.db" "SELECT count(*) FROM trm_outbox WHERE type = 'referral_offer'") - before_out))
			[ "$committed" -ge "$acked" ] || fail "delivery round $round: $acked offers acknowledged, $committed in the outbox"
			# The rest of the round's offers, after the restart.
			expected=$((expected + committed))
			settle "delivery round $round" "$expected"
			# Every acknowledged case is in Portugal's outgoing referrals, delivered.
			if [ "$acked" -gt 0 ]; then
				ids=$(sort -un "$dir/offered" | paste -sd, -)
				# Portugal marks a referral delivered when Niger's answer is back, which can
				# come a moment after the offer is in Niger's inbox: wait for it.
				for _ in $(seq 1 600); do
					st=$(q "$dir/PT.db" "SELECT count(*) FROM trm_referrals WHERE direction = 'out' AND case_id IN ($ids) AND state = 'delivered'")
					[ "$st" -ge "$acked" ] && break
					sleep 0.1
				done
				[ "$st" -eq "$acked" ] || fail "delivery round $round: $acked acknowledged, $st shown delivered in Portugal"
			fi
			echo "crash delivery $round: $victim killed, $acked offers acknowledged ($committed committed), each arrived once (at ${SECONDS}s)"
		done
	fi
	if want peer; then
		# One whole rotation, timed: the kills fall from a quarter of it to a quarter past it.
		t0=$(date +%s%N)
		"$BIN" peer rotate --db "$dir/PT.db" >"$dir/peer.out" 2>&1 || fail "peer: rotate failed: $(cat "$dir/peer.out")"
		took=$((($(date +%s%N) - t0) / 1000000))
		for round in $(seq 1 "$ROUNDS"); do
			before=$(q "$dir/PT.db" "SELECT hex(sign_pk) FROM trm_identity")
			told=$(q "$dir/PT.db" "SELECT count(*) FROM trm_outbox WHERE type = 'key_rotation'")
			ms=$((took / 4 + RANDOM % (took + 1)))
			how=$(kill_after $ms "$dir/peer.out" "$BIN" peer rotate --db "$dir/PT.db")
			check_db "$dir/PT.db" "peer round $round"
			after=$(q "$dir/PT.db" "SELECT hex(sign_pk) FROM trm_identity")
			keys=old
			[ "$before" = "$after" ] || keys=new
			# New keys come with their announcement to the one peer (signed with the old
			# keys), in the same transaction; old keys without any.
			announced=$(($(q "$dir/PT.db" "SELECT count(*) FROM trm_outbox WHERE type = 'key_rotation'") - told))
			if [ "$keys" = new ]; then
				[ "$announced" -eq 1 ] || fail "peer round $round: new keys with $announced announcements"
			else
				[ "$announced" -eq 0 ] || fail "peer round $round: an announcement of keys that were not changed"
			fi
			# The server reads its identity at start: restart it, then offer once more.
			kill -TERM "${pid[PT]}"; wait "${pid[PT]}" || true; pid[PT]=
			start PT
			offerable 1
			: >"$dir/offered"
			offer_all
			[ -s "$dir/offered" ] || fail "peer round $round: the offer after the rotation was refused"
			expected=$((expected + 1))
			settle "peer round $round" "$expected"
			echo "crash peer $round: $how after $ms ms (a rotation: $took ms) with the $keys keys; the next offer arrived once (at ${SECONDS}s)"
		done
	fi
	for cc in PT NE; do kill -TERM "${pid[$cc]}"; wait "${pid[$cc]}" || true; pid[$cc]=; done
	check_db "$dir/PT.db" "delivery, at the end"
	check_db "$dir/NE.db" "delivery, at the end"
fi
echo "crash ($MODE): ok"
