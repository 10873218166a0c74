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
# - The server over the same records (`ponte serve --threads 2`, a reader of every provider):
#   the dashboard page (nine charts and the map, every count protected by the cell key method;
#   target under 150 ms), with a year filter, one protected 2-D table over the API (target
#   under 20 ms), wall-clock medians of RUNS x 5 requests and the server's CPU time per
#   request; and the cost of protection, exact against protected counts of the same tables in
#   one process and one run (bench/obs_protection.c, CPU time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
pid=
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is missing" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
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
imp=$(printf '%.2f\n' "${ours[@]}" | median)
bas=$(printf '%.2f\n' "${base[@]}" | median)
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
cold=$(printf '%.0f' "$(echo "($t1 - $t0) * 1000" | bc)")
stats() { # args → median seconds
	local s=()
	for _ in $(seq 1 "$RUNS"); do
		t0=$(now)
		build/ponte obs stats --db "$dir/m.db" "$@" >/dev/null
		t1=$(now)
		s+=($(printf '%.0f' "$(echo "($t1 - $t0) * 1000" | bc)"))
	done
	printf '%s\n' "${s[@]}" | median
}
x1=$(stats --by citizenship,gender --suppress 0)
x2=$(stats --by exploitation,year --suppress 0)
x3=$(stats --by country_of_exploitation,control --where majority=minor)
# The server: a reader of every provider's records (the regional analyst, given stats.read).
sqlite3 "$dir/m.db" "INSERT OR IGNORE INTO role_permissions(role_id, permission, scope)
	SELECT id, 'stats.read', 'all' FROM roles WHERE code = 'regional_analyst'"
port=18097
build/ponte serve --db "$dir/m.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
pid=$!
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
U=http://127.0.0.1:$port
curl -s -c "$dir/jar" -o /dev/null -X POST "$U/login" \
	-d 'email=regional%40demo.ponte.example&password=Ponte-demo-Lisboa-2026'
curl -s -b "$dir/jar" -o /dev/null "$U/observatory" # loads the cube once
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # ticks of user and system time
page() { # path → "median-wall-ms cpu-ms-per-request"
	local s=() n=$((RUNS * 5)) c0 c1
	c0=$(cpu)
	for _ in $(seq 1 "$n"); do
		s+=($(curl -s -b "$dir/jar" -o /dev/null -w '%{time_total}' "$U$1" | awk '{printf "%.1f", $1 * 1000}'))
	done
	c1=$(cpu)
	echo "$(printf '%s\n' "${s[@]}" | median) $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) / n ))"
}
read -r d_all d_all_cpu < <(page "/observatory")
read -r d_year d_year_cpu < <(page "/observatory?year=2016")
read -r d_yc d_yc_cpu < <(page "/observatory?year=2016&country=NE")
read -r api api_cpu < <(page "/api/v1/observatory/stats?by=citizenship,gender")
kill $pid; wait $pid 2>/dev/null || true; pid=
# The cost of protection: the same tables exact and protected, in one process.
cc -std=c11 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen -o "$dir/obs_protection" bench/obs_protection.c \
	build/libponte.a $(pkg-config --libs libmicrohttpd sqlite3 libsodium liboath libqrencode libcurl) -lpthread -lm
protection=$("$dir/obs_protection" "$dir/m.db" $((RUNS * 7)))
cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| import 100,000 CTDC rows | \`ponte obs import\` | $imp s | |
| the same file into a plain table | \`sqlite3 .import\` | $bas s | |
| ratio | | ${ratio}x | within 3x |
| first count after an import (builds the column cache), $records records | \`ponte obs stats\` | $cold ms (once) | |
| citizenship x gender over $records records | \`ponte obs stats\` (whole command) | $x1 ms | < 300 ms |
| exploitation (multi-response) x year | same | $x2 ms | < 300 ms |
| country of exploitation x means of control, minors, protected | same | $x3 ms | < 300 ms |
| dashboard page (nine charts and the map, protected), $records records | \`curl\`, $((RUNS * 5)) requests | $d_all ms (server CPU $d_all_cpu ms) | < 150 ms |
| the same with a year filter | same | $d_year ms (server CPU $d_year_cpu ms) | < 150 ms |
| the same with a year and a country | same | $d_yc ms (server CPU $d_yc_cpu ms) | < 150 ms |
| one protected 2-D table over the API (citizenship x gender) | same | $api ms (server CPU $api_cpu ms) | < 20 ms |

Load average of the machine at the end (1, 5, 15 minutes): $(cut -d' ' -f1-3 /proc/loadavg).

| table | how | exact | protected | ratio |
|---|---|---|---|---|
$protection
MD
