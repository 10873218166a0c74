#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (issue 20): initdb into a temporary folder, the
# server listening only on a Unix socket in that folder (no TCP port, nothing shared with a
# system service), trust authentication for the local user, fsync off (it is thrown away).
#
#   eval "$(bash tests/pg/cluster.sh start)"   # exports PONTE_TEST_PG and PONTE_TEST_PG_DIR
#   bash tests/pg/cluster.sh stop "$PONTE_TEST_PG_DIR"
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to the unprivileged
# `postgres` account (created by Debian's package) and the tests connect as that role.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "cluster.sh: PostgreSQL server binaries missing (scripts/setup.sh installs postgresql-15)" >&2; exit 1; }
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
start)
	dir=$(mktemp -d /tmp/ponte-pg.XXXXXX)
	chmod 0711 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	user=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
	as_owner "$bindir/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "export PONTE_TEST_PG_DIR='$dir'"
	echo "export PONTE_TEST_PG='postgresql:///postgres?host=$dir&user=$user'"
	;;
stop)
	dir=${2:?usage: cluster.sh stop DIR}
	case "$dir" in /tmp/ponte-pg.*) ;; *) echo "cluster.sh: not a test cluster: $dir" >&2; exit 1 ;; esac
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*) echo "usage: cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
