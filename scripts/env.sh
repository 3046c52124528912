# Sourced by the other scripts: puts the project's tools first on PATH.
ROSTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROSTER_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# cargo-leptos reads these for the site layout; the server reads them at run time too.
export LEPTOS_OUTPUT_NAME=roster
export LEPTOS_SITE_ROOT="$ROSTER_ROOT/target/site"
export LEPTOS_SITE_PKG_DIR=pkg
