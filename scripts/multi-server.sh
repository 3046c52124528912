#!/usr/bin/env bash
# Three Roster servers on one PostgreSQL database, as behind a load balancer: ports 3101,
# 3102 and 3103 on 127.0.0.1. Put any HTTP load balancer in front of them (README, "Several
# servers"); Ctrl-C stops all three.
#
#   scripts/multi-server.sh                     # database roster_multi on 127.0.0.1:5432
#   DATABASE_URL=postgres://u@host/db scripts/multi-server.sh
#
# Needs the release build (scripts/build.sh). The database is created when missing (with
# psql, as the URL's user); each server's log is in $ROSTER_LOG_DIR (default
# target/multi-server). Without SMTP (ROSTER_SMTP_URL), all three write mail to one folder,
# $ROSTER_MAIL_DIR (default roster-mail): each mail once, whichever server sent it.
# ROSTER_PUBLIC_URL (the load balancer's address, used in mailed links) and
# ROSTER_TRUSTED_PROXIES (its address) are passed on when set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

bin="${CARGO_TARGET_DIR:-$ROSTER_ROOT/target}/release/server"
if [[ ! -x "$bin" ]]; then
  echo "No release build at $bin: run scripts/build.sh first." >&2
  exit 1
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/roster_multi}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *)
    echo "Several servers share a PostgreSQL database; DATABASE_URL is not one." >&2
    exit 1
    ;;
esac
ports=(3101 3102 3103)
log_dir="${ROSTER_LOG_DIR:-$ROSTER_ROOT/target/multi-server}"
export ROSTER_MAIL_DIR="${ROSTER_MAIL_DIR:-$ROSTER_ROOT/roster-mail}"
export LEPTOS_ENV=PROD RUST_LOG="${RUST_LOG:-info,sqlx=warn}" NO_COLOR=1
mkdir -p "$log_dir"

# The database, when missing: asked of the server's maintenance database `postgres`.
# (URL parameters after `?` are not supported here.)
db_name="${DATABASE_URL##*/}"
if [[ ! "$db_name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "Cannot read a plain database name from DATABASE_URL ($db_name)." >&2
  exit 1
fi
if command -v psql > /dev/null; then
  admin_url="${DATABASE_URL%/*}/postgres"
  if [[ -z "$(psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")" ]]; then
    psql "$admin_url" -qc "CREATE DATABASE $db_name"
    echo "Created the database $db_name."
  fi
fi

# Migrate once, before any server starts, so the three do not race for it at start-up.
"$bin" migrate

pids=()
stopping=""
stop() {
  trap - INT TERM EXIT
  stopping=1
  if ((${#pids[@]})); then
    echo
    echo "Stopping the servers (${pids[*]})."
    kill -INT "${pids[@]}" 2> /dev/null || true
    wait "${pids[@]}" 2> /dev/null || true
  fi
}
trap stop INT TERM EXIT

for port in "${ports[@]}"; do
  ROSTER_ADDR="127.0.0.1:$port" "$bin" serve > "$log_dir/server-$port.log" 2>&1 &
  pids+=("$!")
done

# Each server says when it listens; a server that exits first stops them all.
for i in "${!ports[@]}"; do
  log="$log_dir/server-${ports[$i]}.log"
  for _ in $(seq 600); do
    grep -q "is listening on" "$log" && break
    if ! kill -0 "${pids[$i]}" 2> /dev/null; then
      echo "The server on port ${ports[$i]} stopped:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  grep -q "is listening on" "$log" || { echo "The server on port ${ports[$i]} did not start in 60 s:" >&2; cat "$log" >&2; exit 1; }
done

echo "Three Roster servers on ${DATABASE_URL/\/\/*@/\/\/} (logs in $log_dir):"
for port in "${ports[@]}"; do
  echo "  http://127.0.0.1:$port"
done
# With an empty database each server printed a setup code; any of them works once.
code="$(grep -ho "one-time setup code: [A-Z0-9-]*" "$log_dir"/server-*.log | head -n 1 || true)"
[[ -n "$code" ]] && echo "First run: open http://127.0.0.1:${ports[0]}/setup and enter the ${code}"
echo "Mail is written to $ROSTER_MAIL_DIR unless ROSTER_SMTP_URL is set. Ctrl-C stops all three."
wait -n "${pids[@]}" || true
[[ -n "$stopping" ]] || echo "A server stopped; stopping the others." >&2
