#!/usr/bin/env bash
# Install what Ponte needs to build, run and test, and nothing that is already there.
# Debian packages through apt-get (as root), npm packages from package-lock.json.
# Used by `make run` and `make check`; safe to run again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
	# build
	gcc make pkg-config git
	libmicrohttpd-dev libsqlite3-dev libpq-dev libsodium-dev liboath-dev libqrencode-dev
	# XLSX downloads are deflated ZIPs
	zlib1g-dev
	# translations (catalogue checks and extraction); country codes for the map
	gettext iso-codes
	# time zones: pages show times in the installation's zone (setting time_zone, read from /usr/share/zoneinfo)
	tzdata
	# browser tests
	chromium
	# tests, sanitizers, fuzzers, format check
	libcmocka-dev libcurl4-openssl-dev clang libclang-rt-14-dev clang-format sqlite3
	# an independent reader of the XLSX files Ponte writes (tests/xlsx_check.py)
	python3 python3-openpyxl
	# the TLS reverse proxy of deploy/nginx-ponte.conf, run on loopback by tests/deploy/
	nginx-light openssl
	# load client of bench/ and `make reliability`
	wrk
	# the libraries bench/json.sh and bench/xlsx.sh measure ours against (not linked into ponte)
	libjansson-dev libxlsxwriter-dev
	# the PostgreSQL store's tests start a throwaway server of their own (tests/pg/cluster.sh)
	postgresql-15
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
# Node.js and npm: any install that provides the commands will do (Debian's, or a Node.js
# distribution that bundles npm); Debian's packages only when the commands are missing.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing Debian packages: ${missing[*]}" >&2
		echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# The tests run their own PostgreSQL in a temporary folder: the package must not create
	# and start a system cluster of its own (postgresql-common reads this before installing).
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		mkdir -p /etc/postgresql-common
		echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: install exactly the lockfile, only when it changed since the last install.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f node_modules/htmx.org/dist/htmx.min.js ]; then
	echo "setup: installing npm packages from package-lock.json"
	npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready"
