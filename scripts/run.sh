#!/usr/bin/env bash
# `make run`: create the demo database on first start, then serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${PONTE_DB:-var/ponte.db}
listen=${PONTE_LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
	build/ponte init --db "$db" --demo
fi
cat <<MSG

  Ponte is starting on http://$listen/
  Database: $db (demonstration data)
  Open the address above in a browser; switch language with the links at the top right.
  Stop with Ctrl-C (the database is checkpointed on the way out).

MSG
exec build/ponte serve --db "$db" --listen "$listen"
