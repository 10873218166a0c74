#!/usr/bin/env bash
# Every test of every kind, as `make check` runs it. Prints one summary line per suite and,
# last, "N passed, N failed" counting every test. Exits non-zero if anything failed.
#
# Suites: format check, table ownership and folder layers (tools/check-*.py), translation
# catalogues, unit tests (cmocka), in-process HTTP tests (cmocka + libcurl), those of them that
# pass on PostgreSQL again there (pg/test_http_*), the shipped TLS proxy
# configuration in front of the server (tests/deploy/proxy.sh), make run-region
# (tests/region.py), unit and HTTP tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer with the allocation failure suite
# (tests/fault/), browser tests (playwright-core +
# Debian's chromium), each libFuzzer target briefly on its corpus, the short form of the
# load, soak, slow-client, crash and full-disk checks (tests/reliability.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
FUZZ_CHECK_SECONDS=${FUZZ_CHECK_SECONDS:-8}
passed=0
failed=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

count() { # suite passed failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-36s %4d passed, %d failed\n' "$1" "$2" "$3"
}

# One test that passes when the command succeeds.
run_one() { # name command...
	local name=$1; shift
	local log="$logdir/${name//[^a-zA-Z0-9_.-]/_}.log"
	if "$@" >"$log" 2>&1; then count "$name" 1 0; else count "$name" 0 1; tail -20 "$log"; fi
}

# A cmocka binary: its own PASSED/FAILED lines; a crash counts as one failure.
run_cmocka() { # name binary
	local name=$1 bin=$2
	local log="$logdir/${name//\//_}.log"
	"$bin" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	count "$name" "$p" "$f"
	[ "$f" -gt 0 ] && grep -E "FAIL|ERROR|error|Sanitizer|runtime error" "$log" | head -20
}

build_or_fail() { # name make-args...
	local name=$1; shift
	if ! make --no-print-directory -j"$JOBS" "$@" >"$logdir/build-$name.log" 2>&1; then
		count "build ($name)" 0 1
		tail -30 "$logdir/build-$name.log"
		return 1
	fi
	return 0
}

# A throwaway PostgreSQL server for the tests of the PostgreSQL store (tests/pg/cluster.sh):
# in a temporary folder, on a Unix socket only, stopped and removed when this script ends.
pg_dir=
stop_pg() { [ -n "$pg_dir" ] && bash tests/pg/cluster.sh stop "$pg_dir"; }
trap stop_pg EXIT
if pg_env=$(bash tests/pg/cluster.sh start 2>"$logdir/pg-cluster.log"); then
	eval "$pg_env"
	pg_dir=$PONTE_TEST_PG_DIR
else
	count "postgresql test server" 0 1
	tail -20 "$logdir/pg-cluster.log"
fi

# The HTTP suites that pass on PostgreSQL run again there, each server on a database of its
# own (PONTE_TEST_HTTP_STORE=pg, tests/http/httptest.h; docs/store.md lists them). Without
# the test server above they fail, as test_store_pg does.
PG_HTTP_SUITES="test_http_server test_http_identity test_http_admin test_http_referrals test_http_cases test_http_case_steps
	test_http_caselist test_http_daily test_http_dates test_http_names test_http_numbers
	test_http_observatory test_http_obs_privacy test_http_observatory_demo
	test_http_trm test_http_trm_chain
	test_http_api test_http_audit test_http_clients test_http_directory test_http_flash
	test_http_languages test_http_lifecycle test_http_pages test_http_words test_http_xlsx
	test_http_backup test_http_knowledge"
run_cmocka_pg() { # name binary
	export PONTE_TEST_HTTP_STORE=pg
	run_cmocka "$@"
	unset PONTE_TEST_HTTP_STORE
}

# 1. Release build and its tests.
if build_or_fail release tests; then
	for t in build/tests/test_*; do run_cmocka "$(basename "$t")" "$t"; done
	for s in $PG_HTTP_SUITES; do run_cmocka_pg "pg/$s" "build/tests/$s"; done
	# An installation moved to PostgreSQL and back (ponte db copy).
	run_one pg/db-copy bash tests/pg/copy.sh
	# A primary killed with -9, its synchronous replica promoted, serve reconnecting.
	run_one pg/failover bash tests/pg/failover.sh
	# Two `ponte serve` processes on one PostgreSQL database, one killed -9 mid-delivery.
	run_one pg/two-serve bash tests/pg/two-serve.sh
fi

# The allocation-failure hook stays out of the release binary.
run_one release-without-fault-hook sh -c '! nm build/ponte | grep -q fault_alloc'

# The shipped nginx configuration (deploy/) in front of the release binary, on loopback.
run_one deploy/proxy bash tests/deploy/proxy.sh

# make run-region: three installations peered, a referral across, stopped and started again.
run_one region python3 tests/region.py

# Load, soak and crash, short form (tests/reliability.sh; `make reliability` runs it long).
run_one reliability-short bash tests/reliability.sh short

# 2. Static checks.
run_one format-check make --no-print-directory format-check
run_one table-ownership python3 tools/check-ownership.py
run_one folder-layers python3 tools/check-layers.py
run_one i18n-extract bash scripts/i18n-extract.sh build/ponte.pot
for po in po/*.po; do
	run_one "i18n-complete-$(basename "$po" .po)" sh -c "msgfmt --check -o /dev/null '$po' && msgcmp '$po' build/ponte.pot"
done
# French typography: a narrow no-break space before : ; ! ? and inside « ».
run_one i18n-typography-fr python3 tools/check-fr-typography.py po/fr.po

# 3. Sanitizers: the same unit and HTTP tests built with ASan + UBSan, and the allocation
# failure suite (tests/fault/test_faults.c), which needs the hook of -DPONTE_FAULT_ALLOC
# (src/base/fault.h; disarmed, it changes nothing for the other suites).
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if build_or_fail asan BUILD=build/asan OPT="-O1 -g" \
	EXTRA_CFLAGS="$SAN -U_FORTIFY_SOURCE -DPONTE_FAULT_ALLOC" EXTRA_LDFLAGS="$SAN" \
	tests fault-tests; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export PONTE_BIN=build/asan/ponte
	for t in build/asan/tests/test_*; do run_cmocka "asan/$(basename "$t")" "$t"; done
	unset PONTE_BIN ASAN_OPTIONS UBSAN_OPTIONS
fi

# 4. Browser tests against the release binary.
if [ -x /usr/bin/chromium ] && [ -d node_modules/playwright-core ]; then
	log="$logdir/e2e.log"
	node --test --test-reporter=tap tests/e2e/ >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	count "e2e (chromium)" "$p" "$f"
	[ "$f" -gt 0 ] && grep -E "not ok|Error|error" "$log" | head -30
else
	count "e2e (chromium missing)" 0 1
fi

# 5. Fuzz targets, briefly, on their seed corpora (`make fuzz` runs them longer).
if build_or_fail fuzz fuzz-build; then
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f")
		work=build/fuzz/corpus/$n
		mkdir -p "$work"
		run_one "fuzz/$n" "$f" -max_total_time="$FUZZ_CHECK_SECONDS" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 "$work" $(bash tests/fuzz/seeds.sh "$n")
	done
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]} (logs in $logdir)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
