# Sourced by the other scripts: puts the project's tools first on PATH.
ROSTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROSTER_ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The site layout (as in Cargo.toml's [workspace.metadata.leptos]): scripts/build.sh writes
# it, Leptos reads LEPTOS_OUTPUT_NAME when compiling, and the server reads all three at run time.
export LEPTOS_OUTPUT_NAME=roster
export LEPTOS_SITE_ROOT="$ROSTER_ROOT/target/site"
export LEPTOS_SITE_PKG_DIR=pkg
