#!/usr/bin/env bash
# Builds the release site and server: the WASM bundle (wasm-bindgen, then binaryen's wasm-opt),
# the stylesheet and static files into target/site, and the server binary. This is what
# `cargo leptos build --release` does for this project, with tools that install from the
# registries in a minute or two instead of compiling cargo-leptos from source (15 minutes).
#
# Usage: scripts/build.sh   (the layout is the one in Cargo.toml's [workspace.metadata.leptos])
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
pkg="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "WASM bundle (frontend, profile wasm-release)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm"

rm -rf "$pkg.new" && mkdir -p "$pkg.new"
# `--target web` gives an ES module with an init function, which Leptos' hydration script
# calls with the path of the .wasm it names: `$LEPTOS_OUTPUT_NAME.wasm` (not `_bg.wasm`,
# because LEPTOS_OUTPUT_NAME is set when the server is compiled).
wasm-bindgen --target web --no-typescript --out-dir "$pkg.new" --out-name "$LEPTOS_OUTPUT_NAME" "$wasm"
mv "$pkg.new/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$pkg.new/$LEPTOS_OUTPUT_NAME.wasm"
say "wasm-opt -Oz ($(du -k "$pkg.new/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) KiB before)"
# binaryen's own release from npm: Debian's older wasm-opt breaks hydration (see BUILD.md).
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$pkg.new/$LEPTOS_OUTPUT_NAME.wasm" -o "$pkg.new/$LEPTOS_OUTPUT_NAME.wasm"
echo "$(du -k "$pkg.new/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) KiB after"
cp style/main.css "$pkg.new/$LEPTOS_OUTPUT_NAME.css"

# Names after content (`roster.<hash>.wasm`), listed in the hash file Leptos reads beside the
# server binary: the server then links these names and lets browsers keep them for a year.
hashes=""
for ext in js wasm css; do
  file="$pkg.new/$LEPTOS_OUTPUT_NAME.$ext"
  hash=$(sha256sum "$file" | cut -c1-16)
  mv "$file" "$pkg.new/$LEPTOS_OUTPUT_NAME.$hash.$ext"
  hashes+="$ext: $hash"$'\n'
done
# The JS module imports nothing by name; only the WASM path changes, and Leptos passes it.

# Brotli (quality 11) and gzip copies made once here, served when a browser accepts them.
node -e '
  const fs = require("fs"), zlib = require("zlib"), path = require("path");
  const dir = process.argv[1];
  for (const f of fs.readdirSync(dir)) {
    const raw = fs.readFileSync(path.join(dir, f));
    fs.writeFileSync(path.join(dir, f + ".br"), zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }));
    fs.writeFileSync(path.join(dir, f + ".gz"), zlib.gzipSync(raw, { level: 9 }));
  }' "$pkg.new"
for f in "$pkg.new"/*.wasm*; do echo "$(basename "$f"): $(du -k "$f" | cut -f1) KiB"; done

mkdir -p "$LEPTOS_SITE_ROOT"
cp -r public/. "$LEPTOS_SITE_ROOT/"
rm -rf "$pkg" && mv "$pkg.new" "$pkg"

say "server (release)"
cargo build -p server --release
printf '%s' "$hashes" > "$target_dir/release/hash.txt"
echo "built: $target_dir/release/server and the site in $LEPTOS_SITE_ROOT"
