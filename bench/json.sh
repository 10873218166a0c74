#!/bin/bash
# Ponte's JSON parser against jansson on the API's largest bodies (bench/json_parse.c).
# usage: bash bench/json.sh [runs]   (default 5; prints every run, then the median per line)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=build/bench
mkdir -p "$out"
gcc -std=c11 -D_GNU_SOURCE -O2 -Isrc -Wall -Wextra -Werror -o "$out/json_parse" \
	bench/json_parse.c bench/json_jansson.c src/base/json_parse.c src/base/arena.c src/base/utf8.c \
	src/base/fault.c src/base/errors.c $(pkg-config --cflags --libs jansson) -lm
for i in $(seq "$runs"); do "$out/json_parse"; done >"$out/json_parse.tsv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input	bytes	parser	median of $runs (µs per parse)	MB/s"
sort -t$'\t' -k1,1 -k3,3 -k4,4g -s "$out/json_parse.tsv" | awk -F'\t' -v runs="$runs" '
{k=$1"\t"$2"\t"$3; c[k]++; if (c[k]==int((runs+1)/2)) {printf "%s\t%.2f\t%.1f\n", k, $4+0, $2/($4+0)}}'
