#!/usr/bin/env bash
# cargo mutants over src/ in five groups, each tested by its modules' own
# test files: the same mutants and exclusions as `cargo mutants -j 2`
# (.cargo/mutants.toml), in about 40 minutes on 2 cores instead of hours, since
# each mutant rebuilds and runs a few test binaries instead of all of them.
# A mutant caught by a group's subset is caught by the whole suite too.
# Manual, not part of .ci/run:  bash .ci/mutants.sh [GROUP ...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants

declare -A globs tests
globs[core]='src/alphabet.rs src/challenge.rs src/sha256.rs src/verifier.rs src/verifier/**/*.rs src/rng.rs src/rng/**/*.rs src/scrub.rs src/secret_text.rs src/method.rs src/error.rs src/lib.rs'
tests[core]='rfc7636 generate proptests uniformity redaction zeroize stack no_alloc stored_flow serde_reject'
globs[policy]='src/policy.rs src/policy/**/*.rs'
tests[policy]='policy policy_advisories policy_errors policy_params policy_presets policy_profiles policy_raw policy_token proptests no_alloc'
globs[reuse]='src/reuse.rs src/reuse/**/*.rs'
tests[reuse]='reuse_guard reuse_flush no_alloc zeroize'
globs[client]='src/client.rs src/client/**/*.rs'
tests[client]='bound_flow client_flow stored_flow flow_store negotiate no_alloc redaction zeroize'
globs[misc]='src/diagnose.rs src/serde_impl.rs src/arbitrary_impl.rs'
tests[misc]='diagnose serde serde_reject arbitrary no_alloc redaction zeroize'

# Build the library's tests once; each of cargo mutants' build directories
# starts from a copy of this target/ instead of compiling every dependency.
cargo test -p proofkey --all-features --profile mutants --lib --tests --no-run -q

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(core policy reuse client misc)
out=target/mutants-groups
mkdir -p "$out"
failed=()
for g in "${groups[@]}"; do
    [ -n "${globs[$g]:-}" ] || { echo "unknown group: $g"; exit 2; }
    # The shared config with this group's files and test binaries (--lib: unit tests).
    python3 - "${globs[$g]}" "${tests[$g]}" > "$out/$g.toml" <<'EOF'
import json, sys
_, globs, tests = sys.argv
args = ["--lib"] + [a for t in tests.split() for a in ("--test", t)]
text = open(".cargo/mutants.toml").read()
old_globs = 'examine_globs = ["src/**/*.rs"]'
old_args = 'additional_cargo_test_args = ["--tests"]'
assert old_globs in text and old_args in text, ".cargo/mutants.toml changed: update .ci/mutants.sh"
text = text.replace(old_globs, "examine_globs = " + json.dumps(globs.split()))
print(text.replace(old_args, "additional_cargo_test_args = " + json.dumps(args)))
EOF
    echo "--- mutants: $g"
    # cargo mutants exits non-zero when a mutant survives: go on with the
    # other groups, name the survivors, and fail at the end.
    if ! cargo mutants --config "$out/$g.toml" -j 2 --profile mutants --copy-target true \
        --output "$out/$g" | tail -1; then
        failed+=("$g")
        cat "$out/$g/mutants.out/missed.txt" "$out/$g/mutants.out/timeout.txt" 2>/dev/null || true
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "mutants: survivors or errors in: ${failed[*]}"; exit 1
fi
echo "mutants: every group clean"
