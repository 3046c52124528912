#!/usr/bin/env bash
# Benchmarks Roster over HTTP the way people use it: seeds a database with a generated agency
# (100,000 people in 20 accounts, about 200,000 role grants, on SQLite; more on PostgreSQL),
# serves it with the release build, signs in as its administrator and loads the main pages
# with wrk at 16 and 64 connections, floods the sign-in, and times the directory page to
# interactive in Chromium with a 4x slower CPU. Prints a table and writes it to
# target/bench/latest.md.
#
# Usage: scripts/bench.sh [--postgres] [--people N] [--duration SECONDS] [--port PORT]
#                         [--only NAME,...] [--reuse-db] [--no-build] [--no-tti]
#   --postgres     PostgreSQL (BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else
#                  postgres://postgres@127.0.0.1:5432/postgres): a database roster_bench_N
#                  is made afresh there (and kept, for --reuse-db)
#   --people N     people to generate (default 100000); e.g. --postgres --people 1000000
#   --duration S   seconds per wrk run (default 10)
#   --only a,b     only these scenarios: directory search person node roles static css sign-in
#   --reuse-db     keep the database seeded by an earlier run with the same backend and size
#   --no-build     serve whatever release build exists, even if older than the sources
#   --no-tti       skip the Chromium time-to-interactive run
# BENCH_SERVER_BIN serves with another server binary (no build), e.g. a debug one to try the
# script out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root=$PWD

backend=sqlite people=100000 duration=10 port=3931 only="" reuse=0 build=1 tti=1
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) backend=postgres ;;
    --people) people="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --port) port="$2"; shift ;;
    --only) only=",$2,"; shift ;;
    --reuse-db) reuse=1 ;;
    --no-build) build=0 ;;
    --no-tti) tti=0 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see scripts/bench.sh --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$people" =~ ^[0-9]+$ ]] || { echo "--people takes a number, not '$people'" >&2; exit 2; }
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "--duration takes seconds, not '$duration'" >&2; exit 2; }

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
wanted() { [ -z "$only" ] || [[ "$only" == *",$1,"* ]]; }

target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
out="$root/target/bench"
mkdir -p "$out"
started_at=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# What else is using the CPU as the run starts (the figures depend on it on 2 cores).
busy() {
  top -b -n 2 -d 1 -w 512 | awk '/^top -/ { n++ }
    n == 2 && $1 ~ /^[0-9]+$/ { cpu[$12] += $9 }
    END { for (c in cpu) if (cpu[c] >= 5) { printf "%s%s %.0f%%", sep, c, cpu[c]; sep = ", " } }'
}
busy_before=$(busy)

# ---------------------------------------------------------------- tools
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ "$backend" = postgres ] && ! command -v psql >/dev/null; then missing+=(postgresql-client); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

# ---------------------------------------------------------------- release build
server="${BENCH_SERVER_BIN:-$target_dir/release/server}"
[ -n "${BENCH_SERVER_BIN:-}" ] && build=0
# What the server binary and the site are built from (benches and examples are not).
sources=(app frontend server/src server/migrations server/Cargo.toml style public Cargo.toml Cargo.lock)
if [ "$build" = 1 ]; then
  if [ ! -x "$server" ] || ! compgen -G "$LEPTOS_SITE_ROOT/pkg/*.wasm" >/dev/null \
    || [ -n "$(find "${sources[@]}" -newer "$server" -type f -print -quit)" ]; then
    say "Release build (scripts/build.sh): the server is missing or older than its sources"
    scripts/build.sh
  else
    say "Reusing the release build $server (newer than its sources)"
  fi
fi
[ -x "$server" ] || { echo "no release server at $server: run scripts/build.sh" >&2; exit 1; }

# ---------------------------------------------------------------- seeding
admin_email=ada.admin@example.com
# A benchmark database on the loopback only; the password still passes the server's policy.
admin_password="bench sign-in passphrase for roster"
seed_env="$out/seed-$backend-$people.env"
if [ "$backend" = postgres ]; then
  pg_admin="${BENCH_POSTGRES_URL:-${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
  db_name="roster_bench_$people"
  database_url="${pg_admin%/*}/$db_name"
  fresh() {
    psql -q -v ON_ERROR_STOP=1 "$pg_admin" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" \
      -c "CREATE DATABASE $db_name"
  }
else
  db_file="$out/roster-$people.db"
  database_url="sqlite://$db_file"
  fresh() { rm -f "$db_file" "$db_file-wal" "$db_file-shm"; }
fi
if [ "$reuse" = 1 ] && [ -s "$seed_env" ]; then
  say "Reusing the database seeded earlier ($database_url)"
else
  say "Seeding $people people ($backend): the seeder is server/examples/seed.rs (debug build)"
  cargo build -p server --example seed
  fresh
  rm -f "$seed_env"
  t0=$(date +%s.%N)
  echo "$admin_password" | "$target_dir/debug/examples/seed" --database-url "$database_url" \
    --people "$people" --admin-email "$admin_email" >"$seed_env.new"
  # Only its key=value lines (create-admin's own message is printed too).
  grep -E '^[a-z]+=' "$seed_env.new" >"$seed_env" && rm "$seed_env.new"
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "seconds=%.1f\n", b - a }' >>"$seed_env"
fi
declare -A seed
while IFS='=' read -r key value; do seed[$key]=$value; done <"$seed_env"
agency=${seed[agency]} person=${seed[person]}

# ---------------------------------------------------------------- serving
base="http://127.0.0.1:$port"
if curl -s -o /dev/null --max-time 2 "$base/"; then
  echo "something already answers on port $port: stop it or pass --port" >&2
  exit 1
fi
mail_dir="$(mktemp -d)/mail"
log="$out/server.log"
say "Serving $database_url on 127.0.0.1:$port (log: $log)"
# As end2end/global-setup.ts starts it: plain http on the loopback, so the session cookie is
# `roster_session` (the `__Host-` name needs https), and mail goes to a throwaway folder.
DATABASE_URL="$database_url" ROSTER_ADDR="127.0.0.1:$port" ROSTER_MAIL_DIR="$mail_dir" \
  ROSTER_SMTP_URL="" LEPTOS_ENV=PROD RUST_LOG="warn,server=info" NO_COLOR=1 \
  "$server" serve >"$log" 2>&1 &
server_pid=$!
cleanup() {
  local status=$?
  kill "$server_pid" 2>/dev/null && { wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$(dirname "$mail_dir")"
  exit "$status"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q "is listening on" "$log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; echo "the server stopped" >&2; exit 1; }
  sleep 0.1
done
grep -q "is listening on" "$log" || {
  cat "$log" >&2
  echo "the server did not say it was listening within a minute (log above)" >&2
  exit 1
}

urlencode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [a-zA-Z0-9._~-]) out+=$c ;;
      " ") out+="+" ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  echo "$out"
}
sign_in_body="email=$(urlencode "$admin_email")&password=$(urlencode "$admin_password")"
cookie=$(curl -sS -o /dev/null -D - -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
  --data "$sign_in_body" "$base/api/sign_in" | tr -d '\r' \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(roster_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "signing in as $admin_email gave no session cookie" >&2; exit 1; }

# ---------------------------------------------------------------- measuring
# VmHWM is the process's peak resident memory; writing 5 to clear_refs resets it, so each
# scenario reports its own peak (where the kernel refuses, the peak since start is shown).
reset_peak() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true; }
peak_mib() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
# Statements PostgreSQL is still running for the benchmark's database (none on SQLite, whose
# work shows in the server's own CPU time).
active_queries() {
  if [ "$backend" = postgres ]; then
    psql -At "$pg_admin" -c "SELECT count(*) FROM pg_stat_activity
      WHERE datname = '$db_name' AND state = 'active' AND pid <> pg_backend_pid()"
  else
    echo 0
  fi
}
# Requests still queued when wrk stops would slow the next scenario: wait until the server
# has used under 5% of a core for a second and the database runs none of its statements (at
# most three minutes).
settle() {
  local before after
  for _ in $(seq 1 180); do
    before=$(cpu_ticks); sleep 1; after=$(cpu_ticks)
    [ $((after - before)) -lt 5 ] && [ "$(active_queries)" = 0 ] && return 0
  done
  echo "warning: the server or the database was still busy after three minutes" >&2
}

# Reads wrk's report: requests/s, p50 and p99 in ms, requests, non-2xx/3xx, socket errors.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0
    }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    / requests in / { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
    END { printf "%.1f %.1f %.1f %d %d %d\n", rps, p50, p99, n, bad, sock }'
}

rows=()
add_row() { rows+=("| $* |"); printf '| %s |\n' "$*" >&2; }

# run NAME PATH CONNECTIONS [extra wrk args...]
run() {
  local name=$1 path=$2 c=$3
  shift 3
  settle
  reset_peak
  local report
  report=$(wrk -t2 -c"$c" -d"${duration}s" --timeout 30s --latency -H "Cookie: $cookie" "$@" \
    "$base$path")
  echo "$report" >"$out/wrk-$name-$c.txt"
  read -r rps p50 p99 n bad sock <<<"$(echo "$report" | parse_wrk)"
  local note=""
  [ "$n" -eq 0 ] && note=" (none finished in ${duration} s)"
  add_row "$name$note | $c | $rps | $p50 | $p99 | $n | $bad | $sock | ${size[$name]:-} | $(peak_mib)"
}

declare -A paths=(
  [directory]="/nodes/$agency/users?per_page=100"
  [search]="/nodes/$agency/users?q=ander&per_page=100"
  [person]="/users/$person"
  [node]="/nodes/$agency"
  [roles]="/nodes/$agency/roles"
  [static]="/favicon.svg"
)
# The stylesheet and the WASM as the pages name them (`/pkg/roster.<hash>.css` once the build
# names files after their content).
home=$(curl -s -H "Cookie: $cookie" "$base${paths[directory]}")
wasm_path=""
[[ "$home" =~ (/pkg/[A-Za-z0-9._-]*\.css) ]] && paths[css]=${BASH_REMATCH[1]}
[[ "$home" =~ (/pkg/[A-Za-z0-9._-]*\.wasm) ]] && wasm_path=${BASH_REMATCH[1]}
[ -n "${paths[css]:-}" ] || { echo "the directory page links no stylesheet under /pkg/" >&2; exit 1; }
order=(directory search person node roles static css)

say "Page sizes (one request each, uncompressed)"
declare -A size
pages=()
for name in "${order[@]}"; do
  read -r code bytes secs < <(curl -s -o /dev/null -H "Cookie: $cookie" \
    -w '%{http_code} %{size_download} %{time_total}\n' "$base${paths[$name]}")
  size[$name]=$bytes
  alone=$(awk -v s="$secs" 'BEGIN { printf "%.1f", s * 1000 }')
  pages+=("| $name | \`${paths[$name]}\` | $code | $bytes | $alone |")
  printf '  %-10s %s %9d bytes %7s ms  %s\n' "$name" "$code" "$bytes" "$alone" "${paths[$name]}" >&2
  [ "$code" = 200 ] || { echo "$name (${paths[$name]}) answered $code" >&2; exit 1; }
done
# The WASM as served: what a browser without, with gzip and with brotli downloads.
wasm_size() {
  curl -s -o /dev/null -H "Accept-Encoding: $1" -w '%{http_code} %{size_download}' \
    "$base$wasm_path" | awk '$1 == 200 { print $2 } $1 != 200 { print "missing (" $1 ")" }'
}
wasm="not linked from the page"
[ -n "$wasm_path" ] && wasm="$wasm_path, $(wasm_size identity) bytes, $(wasm_size gzip) with gzip, $(wasm_size br) with brotli"

say "Load: wrk, ${duration} s per run, 2 threads"
for name in "${order[@]}"; do
  wanted "$name" || continue
  for c in 16 64; do run "$name" "${paths[$name]}" "$c"; done
done

if wanted sign-in; then
  # Sign-ins, and beside them a second wrk on one person's page: what the others see.
  for c in 16 64; do
    settle
    reset_peak
    BENCH_SIGN_IN_BODY="$sign_in_body" wrk -t2 -c"$c" -d"${duration}s" --timeout 30s --latency \
      -s bench/sign-in.lua "$base/api/sign_in" >"$out/wrk-sign-in-$c.txt" &
    flood=$!
    wrk -t1 -c2 -d"${duration}s" --timeout 30s --latency -H "Cookie: $cookie" \
      "$base${paths[person]}" >"$out/wrk-person-during-sign-in-$c.txt"
    wait "$flood"
    read -r rps p50 p99 n bad sock < <(parse_wrk <"$out/wrk-sign-in-$c.txt")
    ok=$(awk '$1 == "signed_in_per_s" { print $2 }' "$out/wrk-sign-in-$c.txt")
    no=$(awk '$1 == "refused" { print $2 }' "$out/wrk-sign-in-$c.txt")
    add_row "sign-in: $ok successful/s, $no refused | $c | $rps | $p50 | $p99 | $n | $bad | $sock | | $(peak_mib)"
    read -r rps p50 p99 n bad sock < <(parse_wrk <"$out/wrk-person-during-sign-in-$c.txt")
    add_row "person, during that sign-in flood | 2 | $rps | $p50 | $p99 | $n | $bad | $sock | ${size[person]} |"
  done
fi

tti_line=""
if [ "$tti" = 1 ]; then
  settle
  say "Time to interactive of the directory page (Chromium, CPU throttled 4x)"
  if [ -d end2end/node_modules/playwright-core ]; then
    BENCH_URL="$base${paths[directory]}" BENCH_COOKIE="$cookie" node end2end/bench/tti.mjs \
      >"$out/tti.txt"
    cat "$out/tti.txt" >&2
    tti_line=$(tail -n 1 "$out/tti.txt")
  else
    tti_line="not measured: end2end/node_modules has no playwright-core (run scripts/setup.sh)"
    echo "$tti_line" >&2
  fi
fi

# ---------------------------------------------------------------- report
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- "${sources[@]}" || commit="$commit + uncommitted changes"
{
  echo "Roster over HTTP, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
  echo
  echo "- $backend, ${seed[people]} people in ${seed[nodes]} nodes (20 accounts), ${seed[grants]} role grants; seeded in ${seed[seconds]:-?} s"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); using the CPU as it started: ${busy_before:-nothing}"
  echo "- wrk -t2, ${duration} s per run, keep-alive; latencies in ms; errors: answers other than 2xx/3xx; socket: connect/read/write errors and timeouts (30 s)"
  echo "- WASM served: $wasm"
  [ -n "$tti_line" ] && echo "- directory page, Chromium, CPU 4x slower: $tti_line"
  echo
  echo "| scenario | connections | requests/s | p50 ms | p99 ms | requests | errors | socket | page bytes | peak RSS MiB |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Each page once, alone (uncompressed, as wrk reads them):"
  echo
  echo "| scenario | path | status | bytes | ms |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${pages[@]}"
  echo
  echo "Took $(($(date +%s) - started_at)) s."
} >"$out/latest.md"
echo
cat "$out/latest.md"
echo "(written to target/bench/latest.md)"
