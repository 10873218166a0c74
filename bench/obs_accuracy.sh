#!/usr/bin/env bash
# What the cell key method costs in accuracy on the synthetic sample: every cell of the
# observatory's usual tables, exact (`ponte obs stats --exact`) against published, by size
# of the true count. Prints a Markdown table for docs/observatory.md.
#
#   bash bench/obs_accuracy.sh [RUNS]   (default 5 databases: the record keys are drawn anew
#                                        for each, and the figures pooled)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sample=tests/data/ctdc_format_synthetic_sample.csv
tables=(year gender age_band majority citizenship country_of_exploitation exploitation control
	status source flow year,gender year,age_band year,citizenship year,country_of_exploitation
	year,exploitation gender,majority citizenship,gender age_band,gender
	country_of_exploitation,control)
: > "$dir/pairs"
for r in $(seq 1 "$RUNS"); do
	rm -f "$dir"/o.db*
	build/ponte init --db "$dir/o.db" --demo >/dev/null 2>&1
	build/ponte obs import --db "$dir/o.db" --format ctdc --provider PT-OTSH "$sample" >/dev/null
	for t in "${tables[@]}"; do
		# key,true and key,published (0 when not listed; -1 when withheld)
		build/ponte obs stats --db "$dir/o.db" --by "$t" --exact --where provider=PT-OTSH |
			grep -v '^#' | tail -n +2 | awk -F, -v t="$t" '{c=$(NF-1); NF-=2; print t"|"$0","c}' OFS=, > "$dir/x"
		build/ponte obs stats --db "$dir/o.db" --by "$t" --where provider=PT-OTSH |
			grep -v '^#' | tail -n +2 | awk -F, -v t="$t" '{c=$(NF-1); if (c ~ /^</) c=-1; NF-=2; print t"|"$0","c}' OFS=, > "$dir/p"
		awk -F, 'NR==FNR {k=$0; sub(/,[^,]*$/, "", k); p[k]=$NF; next}
			{k=$0; sub(/,[^,]*$/, "", k); print $NF, (k in p ? p[k] : 0)}' "$dir/p" "$dir/x" >> "$dir/pairs"
	done
done
awk -v runs="$RUNS" -v ntables="${#tables[@]}" '
function band(x) { return x < 5 ? 1 : x < 10 ? 2 : x < 20 ? 3 : x < 50 ? 4 : x < 100 ? 5 : 6 }
BEGIN { name[1] = "1-4"; name[2] = "5-9"; name[3] = "10-19"; name[4] = "20-49"; name[5] = "50-99"; name[6] = "100+" }
{
	t = $1; p = $2; b = band(t); n[b]++
	if (p < 0) { withheld[b]++; next }
	if (p == 0) { zero[b]++ }
	d = p - t; shown[b]++; sum[b] += d; abs[b] += (d < 0 ? -d : d); sq[b] += d * d
	rel[b] += (d < 0 ? -d : d) / t; same[b] += (d == 0)
}
END {
	printf "| true count | cells | withheld (<5) | published as 0 | changed | mean error | mean absolute error | mean relative error |\n"
	printf "|---|---|---|---|---|---|---|---|\n"
	for (b = 1; b <= 6; b++) if (n[b])
		printf "| %s | %d | %.1f %% | %.1f %% | %.1f %% | %+.2f | %.2f | %.1f %% |\n", name[b], n[b],
			100 * withheld[b] / n[b], 100 * zero[b] / n[b],
			shown[b] ? 100 * (shown[b] - same[b]) / shown[b] : 0,
			shown[b] ? sum[b] / shown[b] : 0, shown[b] ? abs[b] / shown[b] : 0,
			shown[b] ? 100 * rel[b] / shown[b] : 0
	printf "\n%d cells of %d tables, %d databases (keys drawn anew for each).\n", NR, ntables, runs
}' "$dir/pairs"
