#!/usr/bin/env bash
# Observatory figures. Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/obs.sh [RUNS]     (default 3 runs; medians reported)
#
# - Importing a 100,000-row CTDC-format file (the synthetic sample of tests/data repeated):
#   `ponte obs import` against `sqlite3 .import` of the same file into a plain table, in the
#   same run (target: within 3x).
# - Cross-tabulations over 1,000,000 records (the file imported for ten providers): two
#   dimensions, one of them multi-response (target: under 300 ms), timed as the whole
#   `ponte obs stats` command.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is missing" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sample=tests/data/ctdc_format_synthetic_sample.csv
{ head -1 "$sample"; for _ in $(seq 1 100); do tail -n +2 "$sample"; done; } > "$dir/100k.csv"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
ours=() base=()
for r in $(seq 1 "$RUNS"); do
	rm -f "$dir"/i.db* "$dir"/b.db
	build/ponte init --db "$dir/i.db" --demo >/dev/null 2>&1
	t0=$(now)
	build/ponte obs import --db "$dir/i.db" --format ctdc --provider PT-OTSH "$dir/100k.csv" >/dev/null
	t1=$(now)
	printf '.mode csv\n.import %s t\n' "$dir/100k.csv" | sqlite3 "$dir/b.db"
	t2=$(now)
	ours+=($(echo "$t1 - $t0" | bc))
	base+=($(echo "$t2 - $t1" | bc))
done
imp=$(printf '%s\n' "${ours[@]}" | median)
bas=$(printf '%s\n' "${base[@]}" | median)
ratio=$(echo "scale=2; $imp / $bas" | bc)
# One million records: the same file for ten providers.
build/ponte init --db "$dir/m.db" --demo >/dev/null 2>&1
build/ponte demo --db "$dir/m.db" --cases 0 --password Bench-password-2026x >/dev/null 2>&1
for p in NE-NGO SN-NGO ML-NGO NG-NGO PT-NGO ES-NGO IT-NGO NE-FP SN-FP ML-FP; do
	build/ponte obs import --db "$dir/m.db" --format ctdc --provider "$p" "$dir/100k.csv" >/dev/null
done
# The first count after a change builds the column cache (src/obs/cube.h): timed once.
t0=$(now)
records=$(build/ponte obs stats --db "$dir/m.db" --by source --suppress 0 --format json | sed -n 's/.*"records":\([0-9]*\).*/\1/p')
t1=$(now)
cold=$(echo "($t1 - $t0) * 1000" | bc)
stats() { # args → median seconds
	local s=()
	for _ in $(seq 1 "$RUNS"); do
		t0=$(now)
		build/ponte obs stats --db "$dir/m.db" "$@" >/dev/null
		t1=$(now)
		s+=($(echo "($t1 - $t0) * 1000" | bc))
	done
	printf '%s\n' "${s[@]}" | median
}
x1=$(stats --by citizenship,gender --suppress 0)
x2=$(stats --by exploitation,year --suppress 0)
x3=$(stats --by country_of_exploitation,control --where majority=minor)
cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| import 100,000 CTDC rows | \`ponte obs import\` | $imp s | |
| the same file into a plain table | \`sqlite3 .import\` | $bas s | |
| ratio | | ${ratio}x | within 3x |
| first count after an import (builds the column cache), $records records | \`ponte obs stats\` | $cold ms (once) | |
| citizenship x gender over $records records | \`ponte obs stats\` (whole command) | $x1 ms | < 300 ms |
| exploitation (multi-response) x year | same | $x2 ms | < 300 ms |
| country of exploitation x means of control, minors, suppressed | same | $x3 ms | < 300 ms |
MD
