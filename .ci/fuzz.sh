#!/usr/bin/env bash
# Fuzz smoke run: every cargo-fuzz target in fuzz/ for a bounded number of
# executions, starting from the committed seeds (fuzz/corpus-seeds/T) and the
# local corpus (fuzz/corpus/T, git-ignored). About two minutes on a 2-core
# machine including the build; the long runs are in fuzz/README.md.
#
# Run from the repository root: .ci/fuzz.sh
# FUZZ_RUNS_SCALE=N multiplies every run count (e.g. 10 for a longer check).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi

# cargo-fuzz passes nightly-only flags (-Zsanitizer=address, ...); this lets
# the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
# cargo-fuzz builds into fuzz/target (git-ignored).
unset CARGO_TARGET_DIR

scale="${FUZZ_RUNS_SCALE:-1}"
# target:executions, sized from the measured speed of each (fuzz/README.md).
targets=(
    verifier_parse:1200000
    challenge_parse:600000
    verify:600000
    diagnose:100000
    policy:75000
    client_flow:150000
    token_endpoint:50000
    reuse_guard:60000
)

start=$SECONDS
cargo fuzz build
echo "fuzz: built the targets in $((SECONDS - start))s"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0
failed=0
for entry in "${targets[@]}"; do
    target=${entry%%:*}
    runs=$((${entry##*:} * scale))
    mkdir -p "fuzz/corpus/$target"
    t0=$SECONDS
    if cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/corpus-seeds/$target" -- \
        -runs="$runs" >"$logs/$target.log" 2>&1; then
        done_line=$(grep -E '^Done [0-9]+ runs' "$logs/$target.log" | tail -n 1 || true)
        echo "fuzz $target: ok, ${done_line#Done } ($((SECONDS - t0))s wall)"
        passed=$((passed + 1))
    else
        tail -n 60 "$logs/$target.log"
        echo "fuzz $target: FAILED after $((SECONDS - t0))s; the crashing input is in fuzz/artifacts/$target/"
        failed=$((failed + 1))
    fi
done
echo "fuzz: done in $((SECONDS - start))s"
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
