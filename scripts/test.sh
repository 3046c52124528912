#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints (ssr and hydrate builds), the check that
# no server-only crate reaches the WASM, unit tests, integration tests on SQLite and
# PostgreSQL, then a release build driven by Playwright in Chromium on both databases.
#
# PostgreSQL: uses TEST_POSTGRES_URL, else 127.0.0.1:5432 (user postgres), else starts a
# throwaway cluster (installing Debian's postgresql when needed). Never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/setup.sh --browser
source scripts/env.sh
release_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")/release"

step() { printf '\n\033[1m==> %s (%ss)\033[0m\n' "$*" "$(($(date +%s) - started))"; }

# ---------------------------------------------------------------- PostgreSQL
throwaway_pg=""
stop_pg() { [ -n "$throwaway_pg" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$throwaway_pg" -m fast stop >/dev/null 2>&1 || true; }
trap stop_pg EXIT
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    step "No PostgreSQL at 127.0.0.1:5432: starting a throwaway cluster on port 55432"
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    }
    PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
    throwaway_pg=$(mktemp -d /tmp/roster-pg.XXXXXX)
    chown postgres "$throwaway_pg"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$throwaway_pg" -U postgres --auth=trust >/dev/null
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$throwaway_pg" -l "$throwaway_pg/log" -w start \
      -o "-p 55432 -k $throwaway_pg -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
    export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:55432/postgres"
  fi
fi
psql_admin() { psql "$TEST_POSTGRES_URL" -qAt -v ON_ERROR_STOP=1 "$@"; }
# Databases left by earlier runs of the suite.
psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE 'roster_test_%' OR datname LIKE 'roster_e2e_%'" |
  while read -r db; do psql_admin -c "DROP DATABASE IF EXISTS $db" ; done

# ---------------------------------------------------------------- static checks
step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, server build (ssr)"
cargo clippy -p app -p server --all-targets --features app/ssr -- -D warnings

step "clippy, browser build (hydrate, wasm32)"
cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

step "no server-only crate in the WASM dependency tree"
forbidden='^(sqlx[a-z-]*|argon2|tokio|axum[a-z-]*|lettre|hyper[a-z-]*|mio|leptos_axum|tower-http|libsqlite3-sys|cookie|phonenumber|csv|chrono-tz|image) v'
if cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none | grep -E "$forbidden"; then
  echo "Server-only crates reached the WASM build (listed above)." >&2
  exit 1
fi
echo "none found"

# ---------------------------------------------------------------- Rust tests
step "unit tests (app, ssr)"
cargo test -p app --features ssr

step "server unit and integration tests, SQLite and PostgreSQL ($TEST_POSTGRES_URL)"
cargo test -p server

# ---------------------------------------------------------------- end to end
step "release build (server + WASM, wasm-opt)"
scripts/build.sh

e2e() {
  (cd end2end && E2E_SERVER_BIN="$release_dir/server" npx playwright test)
}
step "end-to-end in Chromium, SQLite"
e2e
step "end-to-end in Chromium, PostgreSQL"
e2e_db="roster_e2e_$(date +%s)"
psql_admin -c "CREATE DATABASE $e2e_db"
E2E_DATABASE_URL="${TEST_POSTGRES_URL%/*}/$e2e_db" e2e
psql_admin -c "DROP DATABASE $e2e_db"

step "all tests passed"
