#!/usr/bin/env bash
# Tests in a real browser, headless Chromium: proofkey compiled to wasm32
# (spa/tests/web.rs, wasm-bindgen-test) and the Rust single-page app end to
# end against the demo server over WebDriver (spa/tests/e2e.rs). Run from a
# clean clone as `bash .ci/browser.sh` (.ci/run calls it); it installs what it
# needs itself: chromium and chromium-driver (apt-get), the wasm32 target
# (rustup), and wasm-bindgen-cli at the version in Cargo.lock (cargo install,
# into $BROWSER_TOOLS_ROOT, default $CARGO_HOME, so that later runs skip it).
# Its last line is `browser: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
start=$SECONDS
say() { printf -- '--- browser: %s (%ds)\n' "$*" "$((SECONDS - start))"; }
min_tests=10
passed=0
failed=0

say "chromium, chromedriver"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chrome=$(command -v chromium)
driver=$(command -v chromedriver)
"$chrome" --version 2>/dev/null || true
"$driver" --version

say "wasm32-unknown-unknown target"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 \
    || rustup target list --installed | grep -qx wasm32-unknown-unknown

# wasm-bindgen-cli must be the very version of the wasm-bindgen crate in Cargo.lock.
version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tools=${BROWSER_TOOLS_ROOT:-${CARGO_HOME:-$HOME/.cargo}}
say "wasm-bindgen-cli $version in $tools/bin"
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $version" ] \
        || [ ! -x "$tools/bin/wasm-bindgen-test-runner" ]; then
    # No TLS: the test runner only talks to chromedriver on 127.0.0.1.
    # --debug: half the compile time; it still runs in seconds on these
    # modules. `--locked` first; this registry lacks some versions that the
    # CLI's own lock file pins, and then it resolves without.
    cargo install -q wasm-bindgen-cli --version "=$version" --no-default-features --debug \
            --locked --root "$tools" 2>/dev/null \
        || cargo install -q wasm-bindgen-cli --version "=$version" --no-default-features --debug \
            --root "$tools"
fi
"$tools/bin/wasm-bindgen" --version

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Adds the "test result:" counts of a test command's output; a command that
# fails without reporting a failed test counts as one failure.
run_tests() {
    local name=$1
    shift
    local rc=0
    "$@" 2>&1 | tee "$scratch/out" || rc=$?
    local p f
    p=$(grep -E '^test result: ' "$scratch/out" | grep -oE '[0-9]+ passed' | awk '{ s += $1 } END { print s + 0 }')
    f=$(grep -E '^test result: ' "$scratch/out" | grep -oE '[0-9]+ failed' | awk '{ s += $1 } END { print s + 0 }')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "browser: $name failed (exit $rc) before reporting a failed test"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
}

say "build the SPA: cargo build --target wasm32-unknown-unknown --release, wasm-bindgen --target web"
cargo build -p spa --target wasm32-unknown-unknown --release
"$tools/bin/wasm-bindgen" --target web --no-typescript --out-dir spa/www/pkg \
    "$target_dir/wasm32-unknown-unknown/release/spa.wasm"

say "wasm-bindgen-test in headless Chromium (spa/tests/web.rs)"
# The runner starts chromedriver itself and reads the browser's options here.
cat > "$scratch/webdriver.json" <<JSON
{ "goog:chromeOptions": { "binary": "$chrome", "args": [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--user-data-dir=$scratch/chromium-profile" ] } }
JSON
run_tests "wasm-bindgen-test" env -u GECKODRIVER -u SAFARIDRIVER -u MSEDGEDRIVER \
    -u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u CHROMEDRIVER_REMOTE -u MSEDGEDRIVER_REMOTE \
    CHROMEDRIVER="$driver" WASM_BINDGEN_TEST_WEBDRIVER_JSON="$scratch/webdriver.json" \
    WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=30 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$tools/bin/wasm-bindgen-test-runner" \
    timeout 900 cargo test -p spa --target wasm32-unknown-unknown --release --test web

say "the SPA end to end over WebDriver, against the demo (spa/tests/e2e.rs)"
cargo build -p demo
run_tests "e2e" env CHROMEDRIVER="$driver" CHROME_BIN="$chrome" \
    timeout 900 cargo test -p spa --test e2e -- --ignored --test-threads=1

say "done"
if [ "$passed" -lt "$min_tests" ]; then
    echo "browser: only $passed tests passed; at least $min_tests are expected"
    failed=$((failed + 1))
fi
echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
