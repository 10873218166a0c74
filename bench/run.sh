#!/usr/bin/env bash
# Ponte's foundation figures (issue: foundation). Prints a Markdown block for bench/RESULTS.md.
#
#   bash bench/run.sh [RUNS]      (default 3 runs of each measurement; the median is reported)
#
# - wrk, 2 threads, 64 connections, 10 s, against /healthz, the home page (renders a template
#   with a row read from the database) and /api/v1/instance (JSON from the same row).
# - Resident memory of `ponte serve` when idle after start-up, and after the load.
# - Start-up time: from exec until /healthz answers 200.
# Everything runs on 127.0.0.1; every loop is bounded. wrk and the server share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
make --no-print-directory build >/dev/null
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
build/ponte init --db "$dir/p.db" --demo >/dev/null 2>&1
port=18099

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_server() {
	build/ponte serve --db "$dir/p.db" --listen 127.0.0.1:$port --threads 2 2>"$dir/log" &
	pid=$!
	for _ in $(seq 1 200); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
		sleep 0.01
	done
	echo "bench: server did not start" >&2
	exit 1
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# Start-up time: exec to first 200 from /healthz, RUNS times.
startups=()
for _ in $(seq 1 "$RUNS"); do
	t0=$(date +%s%N)
	start_server
	t1=$(date +%s%N)
	startups+=($(( (t1 - t0) / 1000000 )))
	kill -TERM $pid; wait $pid || true
done
startup_ms=$(printf '%s\n' "${startups[@]}" | median)

start_server
sleep 0.5
idle_rss=$(rss_kib $pid)

declare -A rps p99
for path in /healthz / /api/v1/instance; do
	r=(); l=()
	for _ in $(seq 1 "$RUNS"); do
		out=$(wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$port$path")
		r+=($(echo "$out" | awk '/Requests\/sec/ {print $2}'))
		# p99 in ms whatever unit wrk chose.
		l+=($(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'))
		non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
		[ -z "$non2xx" ] || { echo "bench: $path answered $non2xx non-2xx responses" >&2; exit 1; }
	done
	rps[$path]=$(printf '%s\n' "${r[@]}" | median)
	p99[$path]=$(printf '%s\n' "${l[@]}" | median)
done
loaded_rss=$(rss_kib $pid)
kill -TERM $pid; wait $pid || true

cat <<MD
| what | command | median of $RUNS | target |
|---|---|---|---|
| /healthz throughput | \`wrk -t2 -c64 -d$DURATION --latency\` | ${rps[/healthz]} req/s, p99 ${p99[/healthz]} ms | |
| home page (template + row from SQLite) | same | ${rps[/]} req/s, p99 ${p99[/]} ms | >= 30,000 req/s, p99 < 10 ms |
| /api/v1/instance (JSON + row from SQLite) | same | ${rps[/api/v1/instance]} req/s, p99 ${p99[/api/v1/instance]} ms | >= 30,000 req/s, p99 < 10 ms |
| idle resident memory after start | /proc/PID/status VmRSS | $((idle_rss / 1024)).$(( (idle_rss % 1024) * 10 / 1024 )) MiB | < 20 MiB |
| resident memory after the load | same | $((loaded_rss / 1024)).$(( (loaded_rss % 1024) * 10 / 1024 )) MiB | |
| start-up (exec to first 200 on /healthz) | bench/run.sh | $startup_ms ms | < 100 ms |
MD
