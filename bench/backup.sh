#!/usr/bin/env bash
# Backup, verify and restore of a database with N demonstration cases (default 100,000):
# time and peak memory of each, median of R runs (default 3). Usage:
#   bash bench/backup.sh [CASES] [RUNS] [EXISTING_DB]   (EXISTING_DB: skip creating one)
set -euo pipefail
cd "$(dirname "$0")/.."
P=${PONTE_BIN:-build/ponte}
CASES=${1:-100000}
RUNS=${2:-3}
T=$(mktemp -d /tmp/ponte-bench-backup-XXXXXX)
trap 'rm -rf "$T"' EXIT
if [ -n "${3:-}" ]; then
	DB=$3
else
	DB=$T/a.db
	"$P" init --db "$DB" --demo >/dev/null 2>&1
	"$P" demo --db "$DB" --cases "$CASES" --password Ponte-demo-Lisboa-2026 >/dev/null 2>&1
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # name command...
	local name=$1
	shift
	for i in $(seq "$RUNS"); do
		rm -rf "$T/r.db" "$T/r.db.files" "$T/r.db.key" "$T/out.pbk"
		[ "$name" = verify ] || [ "$name" = restore ] && "$P" backup --db "$DB" --out "$T/out.pbk" >/dev/null
		/usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null
		cat "$T/time"
	done >"$T/$name.txt"
	echo "$name: $(awk '{print $1}' "$T/$name.txt" | median) s, $(awk '{print $2}' "$T/$name.txt" | median) KiB peak"
}
echo "database: $(du -h "$DB" | cut -f1), files: $(du -sh "$DB.files" | cut -f1)"
measure backup "$P" backup --db "$DB" --out "$T/out.pbk"
measure verify "$P" backup --verify "$T/out.pbk" --key "$DB.key" --work "$T"
measure restore "$P" restore --archive "$T/out.pbk" --db "$T/r.db" --key "$DB.key"
"$P" backup --db "$DB" --out "$T/last.pbk" | sed 's/^/last: /'
