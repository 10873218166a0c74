#!/bin/bash
# Ponte's XLSX writer against libxlsxwriter on the largest export (bench/xlsx_writers.c).
# usage: bash bench/xlsx.sh [runs]   (default 5; the median per line)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=build/bench
mkdir -p "$out"
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -c -o "$out/xlsx_lib.o" bench/xlsx_lib.c
gcc -Wall -Wextra -Werror -o "$out/xlsx_writers" bench/xlsx_writers.c src/export/xlsx.c src/export/csv.c \
	src/base/buf.c src/base/utf8.c src/base/fault.c src/base/errors.c "$out/xlsx_lib.o" \
	-std=c11 -D_GNU_SOURCE -O2 -Isrc -lxlsxwriter -lz -lpthread
for i in $(seq "$runs"); do "$out/xlsx_writers"; done >"$out/xlsx.tsv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows	writer	median of $runs (ms)	bytes"
sort -t$'\t' -k1,1n -k2,2 -k3,3g -s "$out/xlsx.tsv" | awk -F'\t' -v runs="$runs" '
{k=$1"\t"$2; c[k]++; if (c[k]==int((runs+1)/2)) print k"\t"$3+0"\t"$4}'
