#!/usr/bin/env bash
# ctgrind: checks with valgrind memcheck that `CodeChallenge::verify` has no
# branch or memory index that depends on the stored challenge
# (tests/ctgrind.rs marks it undefined with memcheck client requests).
#
# Run from the repository root: .ci/ctgrind.sh
#
# 1. the real tests must be clean under valgrind;
# 2. the #[ignore]d negative control (an early-exit comparison) must be
#    flagged (exit 42), or the harness is broken and (1) proves nothing.
set -euo pipefail

arch="$(uname -m)"
os="$(uname -s)"
if [[ "$arch" != "x86_64" || "$os" != "Linux" ]]; then
    echo "############################################################"
    echo "ctgrind: SKIP: needs x86_64 Linux (this is $arch $os)."
    echo "ctgrind: SKIP: constant time of verify was NOT checked."
    echo "############################################################"
    exit 0
fi

if ! command -v valgrind >/dev/null 2>&1; then
    echo "ctgrind: valgrind not found, installing it"
    sudo=""
    if [[ "$(id -u)" -ne 0 ]]; then
        sudo="sudo"
    fi
    $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y valgrind
fi
valgrind --version

# Build first, without the runner, so that a compile error is not mistaken
# for a valgrind report.
cargo test --release --test ctgrind --no-run

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind -q --error-exitcode=42"

# 1. The real tests: valgrind must report nothing.
rc=0
cargo test --release --test ctgrind -- --test-threads=1 >"$log" 2>&1 || rc=$?
if [[ "$rc" -ne 0 ]]; then
    cat "$log"
    if grep -q "exit status: 42" "$log"; then
        echo "ctgrind: FAIL: memcheck reported a branch or memory index that depends on the stored challenge (see above)"
    else
        echo "ctgrind: FAIL: the tests failed (exit $rc), see above"
    fi
    exit 1
fi
if grep -q "^==[0-9]*==" "$log"; then
    cat "$log"
    echo "ctgrind: FAIL: valgrind printed a report (see above)"
    exit 1
fi
grep -E "^test .* \.\.\. |^test result" "$log" || true
echo "ctgrind: verify clean (S256, plain)"

# 2. The negative control must be flagged with valgrind's error exit code.
rc=0
cargo test --release --test ctgrind -- --test-threads=1 --ignored >"$log" 2>&1 || rc=$?
if [[ "$rc" -ne 0 ]] && grep -q "exit status: 42" "$log" \
    && grep -q "depends on uninitialised value" "$log"; then
    echo "ctgrind: negative control flagged as expected ($(grep -c "depends on uninitialised value" "$log") memcheck reports, exit status 42)"
else
    cat "$log"
    echo "ctgrind: FAIL: the negative control was NOT flagged (cargo exit $rc): the harness is broken, so the clean result above proves nothing"
    exit 1
fi
