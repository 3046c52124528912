#!/usr/bin/env bash
# Sets up, builds (optimised release) and serves Roster on the embedded SQLite database.
# The first run prints a one-time setup code: open the address shown and enter it.
# Options after `--` go to the server, e.g. `scripts/run.sh -- --addr 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh
[ "${1:-}" = "--" ] && shift
export DATABASE_URL="${DATABASE_URL:-sqlite://roster.db}"
echo "Serving Roster with database $DATABASE_URL"
exec "${CARGO_TARGET_DIR:-target}/release/server" serve "$@"
