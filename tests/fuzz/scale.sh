#!/usr/bin/env bash
# Every fuzz target run to a fixed number of executions (issue 17: 10^7 each, once), one after
# the other, bounded by count rather than time so a busy machine only makes it slower. New
# inputs land in OUT/corpus/<target>; keep the ones that add coverage with
#   build/fuzz/<target> -merge=1 tests/fuzz/corpus/<target> OUT/corpus/<target>
# Usage: bash tests/fuzz/scale.sh [RUNS] [OUT] [target...]   (after `make fuzz-build`)
set -u
runs=${1:-10000000}
out=${2:-build/fuzz-scale}
shift 2 2>/dev/null || shift $#
targets=${*:-$(cd build/fuzz && ls fuzz_* | grep -v '\.')}
mkdir -p "$out"
for n in $targets; do
	mkdir -p "$out/corpus/$n"
	start=$(date +%s)
	build/fuzz/"$n" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$n-" "$out/corpus/$n" $(bash tests/fuzz/seeds.sh "$n") \
		>"$out/$n.log" 2>&1
	rc=$?
	end=$(date +%s)
	done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$n.log" | grep -o '[0-9]*$')
	echo "$n rc=$rc runs=${done_runs:-?} seconds=$((end - start))"
done
