#!/usr/bin/env bash
# `make run`: create the demo database on first start, then serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${PONTE_DB:-var/ponte.db}
listen=${PONTE_LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
	build/ponte init --db "$db" --demo
	# Seven countries, every role, 200 cases: the same password as the Lisbon demo accounts.
	build/ponte demo --db "$db" --cases 200 --password Ponte-demo-Lisboa-2026 >/dev/null
fi
cat <<MSG

  Ponte is starting on http://$listen/
  Database: $db (demonstration data, synthetic), key file: $db.key

  Sign in at http://$listen/login with password Ponte-demo-Lisboa-2026 and one of:
    case.worker@demo.ponte.example     supervisor@demo.ponte.example
    police@demo.ponte.example          prosecutor@demo.ponte.example
    analyst@demo.ponte.example         provider@demo.ponte.example
    auditor@demo.ponte.example         regional@demo.ponte.example
    reviewer@demo.ponte.example        (publishes knowledge items)
    shelter@demo.ponte.example         (a Porto shelter: receives referrals)
    focal.point@demo.ponte.example     admin@demo.ponte.example
  (the focal point and the administrator are asked to set up two-factor
   authentication first: have an authenticator app ready)
  Seven more countries, every role, same password: ROLE.CC@demo.ponte.example,
  for example case.worker.ne, supervisor.sn, knowledge.reviewer.pt. They share
  24 practices, laws, judgments and manuals (Knowledge) and a focal-point
  directory with its rotation history (Directory). The analyst sees the
  observatory's dashboards and annual reports over 5,000 synthetic records.

  Switch language with the links at the top right.
  Stop with Ctrl-C (the database is checkpointed on the way out).

MSG
exec build/ponte serve --db "$db" --listen "$listen"
