#!/usr/bin/env bash
# `ponte db copy` (issue 20): an installation moved from its SQLite file to PostgreSQL and
# back, as an administrator would, against the throwaway cluster of tests/pg/cluster.sh
# (PONTE_TEST_PG set by tests/run-all.sh, or: eval "$(bash tests/pg/cluster.sh start)").
# - SQLite -> PostgreSQL -> SQLite: every table's rows identical to the original's (the
#   audit trail too, less the copies' own store.copy events), the knowledge search index
#   written again in each (FTS5, tsvector) and finding what it found (its generation
#   counter moved, so that servers read the library again);
# - the same case read through the API from the original and from the PostgreSQL copy,
#   with the original's key file: the same answer, decrypted;
# - the wrong ways: a destination file that exists (untouched), a PostgreSQL database that
#   is not empty, a missing option, the same database twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${PONTE_BIN:-build/ponte}
: "${PONTE_TEST_PG:?PONTE_TEST_PG is not set (eval \"\$(bash tests/pg/cluster.sh start)\")}"
dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "copy.sh: $*" >&2; exit 1; }
psql_as() { # psql as the cluster's owner (root cannot be PostgreSQL's superuser)
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- psql "$@"; else psql "$@"; fi
}
# A new database in the test cluster, and its URL.
name=ponte_copy_$$
psql_as "$PONTE_TEST_PG" -qc "CREATE DATABASE $name" >/dev/null
url=${PONTE_TEST_PG/\/\/\/postgres/\/\/\/$name}
trap 'cleanup; psql_as "$PONTE_TEST_PG" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true' EXIT

PW=Copy-password-2026x
"$BIN" init --db "$dir/a.db" --demo >/dev/null 2>&1 || fail "init failed"
"$BIN" demo --db "$dir/a.db" --cases 150 --password "$PW" >/dev/null 2>&1 || fail "demo failed"

# Into PostgreSQL, and back into a new file.
out=$("$BIN" db copy --from "$dir/a.db" --to "$url" 2>/dev/null) || fail "copy to PostgreSQL failed: $out"
echo "$out" | grep -q "audit trail intact in both" || fail "no audit comparison: $out"
out=$("$BIN" db copy --from "$url" --to "$dir/c.db" 2>/dev/null) || fail "copy back failed: $out"
echo "$out" | grep -q "knowledge search index written again" || fail "index not rebuilt: $out"
tables=$(sqlite3 "$dir/a.db" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'knowledge_fts%' AND name NOT IN ('schema_migrations', 'audit_events', 'knowledge_generation')")
n=0
for t in $tables; do
	a=$(sqlite3 "$dir/a.db" "SELECT * FROM $t" | sort | md5sum)
	c=$(sqlite3 "$dir/c.db" "SELECT * FROM $t" | sort | md5sum)
	[ "$a" = "$c" ] || fail "table $t differs after the round trip"
	n=$((n + 1))
done
[ "$n" -gt 60 ] || fail "only $n tables compared"
a=$(sqlite3 "$dir/a.db" "SELECT * FROM audit_events ORDER BY id" | md5sum)
c=$(sqlite3 "$dir/c.db" "SELECT * FROM audit_events WHERE action <> 'store.copy' ORDER BY id" | md5sum)
[ "$a" = "$c" ] || fail "the audit trail differs after the round trip"
[ "$(sqlite3 "$dir/c.db" "SELECT count(*) FROM audit_events WHERE action = 'store.copy'")" = 2 ] ||
	fail "each copy should be in its destination's trail"
"$BIN" audit verify --db "$dir/c.db" >/dev/null 2>&1 || fail "the copy's trail does not verify"
q="SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH 'trafficking OR victim' ORDER BY rowid"
[ -n "$(sqlite3 "$dir/a.db" "$q")" ] || fail "the search finds nothing in the original"
[ "$(sqlite3 "$dir/a.db" "$q")" = "$(sqlite3 "$dir/c.db" "$q")" ] || fail "the search finds other items"
# PostgreSQL's index (a tsvector per item, not copied but written again): a row for every
# item, as knowledge_search_vector() makes it, finding every item SQLite's finds (and more:
# it also holds each word's stem, docs/store.md).
[ "$(psql_as "$url" -XAtc "SELECT count(*) FROM knowledge_fts f JOIN knowledge_items k ON k.id = f.rowid
	WHERE f.search = knowledge_search_vector(f.rowid, k.language, f.title, f.summary, f.body, f.extra)")" = \
	"$(sqlite3 "$dir/a.db" "SELECT count(*) FROM knowledge_items")" ] ||
	fail "not every item is in PostgreSQL's search index"
pq="SELECT rowid FROM knowledge_fts WHERE search @@ to_tsquery('ponte_simple', 'trafficking | victim') ORDER BY rowid"
[ -z "$(comm -23 <(sqlite3 "$dir/a.db" "$q" | sort) <(psql_as "$url" -XAtc "$pq" | sort))" ] ||
	fail "the search on PostgreSQL misses items SQLite's finds"
[ "$(sqlite3 "$dir/c.db" "PRAGMA foreign_key_check" | wc -l)" = 0 ] || fail "foreign keys broken"
[ "$(sqlite3 "$dir/c.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")" = \
	"$(sqlite3 "$dir/a.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'")" ] ||
	fail "triggers lost"

# The same case through the API, from the original and from the copy on PostgreSQL.
id=$(sqlite3 "$dir/a.db" "SELECT id FROM cases WHERE organisation_id = (SELECT id FROM \
organisations WHERE code = 'NE-NGO') ORDER BY id LIMIT 1 OFFSET 5")
[ -n "$id" ] || fail "no case of NE-NGO in the demo"
read_case() { # db port -> the case's JSON (a port each: $(...) repeats $RANDOM)
	local port=$2
	local files=()
	case "$1" in postgres*) files=(--files "$dir/a.db.files") ;; esac
	"$BIN" serve --db "$1" --key "$dir/a.db.key" "${files[@]}" \
		--listen "127.0.0.1:$port" --threads 2 2>>"$dir/serve.log" &
	pid=$!
	for _ in $(seq 1 300); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || fail "serve exited: $(tail -3 "$dir/serve.log")"
		sleep 0.05
	done
	local token
	token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
		-H 'Content-Type: application/json' \
		-d "{\"email\":\"supervisor.ne@demo.ponte.example\",\"password\":\"$PW\"}" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || fail "sign-in refused by $1"
	curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/cases/$id" ||
		echo "unreadable"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}
# Below the kernel's range of ephemeral ports (32768 and up), which the test's own curl
# connections take: a port one of them held was once refused to the second server.
port=$((20000 + RANDOM % 10000))
orig=$(read_case "$dir/a.db" "$port")
copy=$(read_case "$url" "$((port + 1))")
echo "$orig" | grep -q '"prs_FirstName"' || fail "the original's case has no name: $orig"
[ "$orig" = "$copy" ] || fail "the case reads differently from PostgreSQL: $orig / $copy"

# The wrong ways.
sum=$(md5sum <"$dir/c.db")
"$BIN" db copy --from "$dir/a.db" --to "$dir/c.db" >/dev/null 2>&1 && fail "copied over an existing file"
[ "$(md5sum <"$dir/c.db")" = "$sum" ] || fail "an existing file was changed"
"$BIN" db copy --from "$dir/a.db" --to "$url" >/dev/null 2>&1 && fail "copied into a database that has data"
[ "$("$BIN" audit verify --db "$url" 2>/dev/null | sed -n 's/.*: \([0-9]*\) events.*/\1/p')" -gt 100 ] ||
	fail "the PostgreSQL copy was damaged by a refused copy"
rc=0; "$BIN" db copy --from "$dir/a.db" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a missing --to should be a usage error (2), got $rc"
rc=0; "$BIN" db copy --from "$dir/a.db" --to "$dir/a.db" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "the same database twice should be a usage error (2), got $rc"
# An upgrade of the PostgreSQL copy: serve refuses until the administrator has backed it up
# with PostgreSQL's tools and applied the migrations with ponte migrate, and says so (Ponte
# takes no PostgreSQL backup, so --backup-dir cannot stand in for it).
psql_as "$url" -qc "DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"
for extra in "" "--backup-dir $dir/upgrade-backups"; do
	rc=0
	msg=$("$BIN" serve --db "$url" --key "$dir/a.db.key" --files "$dir/a.db.files" --listen 127.0.0.1:0 $extra 2>&1) || rc=$?
	[ "$rc" = 1 ] || fail "serve on an older PostgreSQL schema ($extra) should refuse (1), got $rc: $msg"
	echo "$msg" | grep -q "pg_dump" && echo "$msg" | grep -q "ponte migrate" ||
		fail "the refusal does not say how to upgrade on PostgreSQL: $msg"
done
[ ! -e "$dir/upgrade-backups" ] || fail "serve wrote a backup folder for a PostgreSQL database"
echo "db copy: SQLite -> PostgreSQL -> SQLite, $n tables identical, trail and search intact, a case reads the same"
