#!/usr/bin/env bash
# Installs what building and testing Roster needs, skipping whatever is already there:
# the wasm32 target, wasm-bindgen-cli (the exact version in Cargo.lock), the end-to-end npm
# packages (Playwright, and binaryen's wasm-opt for release builds) and, with --browser,
# Debian's chromium. Safe to run again. (scripts/build.sh does what cargo-leptos would, so
# cargo-leptos is not compiled from source: that alone took 15 minutes on a new machine.)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "Installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

if ! command -v cargo >/dev/null; then
  echo "Rust is not installed: install rustup from your distribution or rustup.rs, then rerun." >&2
  exit 1
fi

packages=()
command -v cc >/dev/null || packages+=(build-essential)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi
if [ ${#packages[@]} -gt 0 ]; then apt_install "${packages[@]}"; fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
  # Not --locked: one of its locked dependency versions is no longer in the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Playwright for the end-to-end tests, and binaryen's wasm-opt for scripts/build.sh: Debian's
# (older) wasm-opt produces a release WASM that never hydrates.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "Installing the end-to-end npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
