#!/usr/bin/env bash
# The published packages can be published: `cargo package` builds each one
# from its packaged sources (the workspace's unpublished proofkey is served
# to proofkey-cli from a local overlay, as `cargo publish --workspace` does),
# each package's file list holds exactly what it should, and the library's
# public API is the checked-in listing (api/proofkey.txt), so that every
# change of the API is a visible diff. Run from a clean clone; .ci/run
# calls it. To accept an intended API change:
#   cargo +nightly-2026-10-29 public-api -ss -p proofkey --all-features > api/proofkey.txt
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
packages=(proofkey proofkey-cli proofkey-store)

echo "--- cargo package ${packages[*]}"
cargo package --locked "${packages[@]/#/-p=}"

echo "--- packaged file lists"
bad=0
for p in "${packages[@]}"; do
    list=$(cargo package --locked --list -p "$p")
    for required in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE; do
        grep -qx "$required" <<<"$list" || { echo "$p: $required is missing from the package"; bad=1; }
    done
    case $p in
        proofkey) allowed='^(src/|tests/|examples/|README\.md$|CHANGELOG\.md$|LICENSE-(MIT|APACHE)$|Cargo\.(toml|toml\.orig|lock)$|\.cargo_vcs_info\.json$)'
                  grep -qx CHANGELOG.md <<<"$list" || { echo "$p: CHANGELOG.md is missing"; bad=1; } ;;
        proofkey-cli|proofkey-store) allowed='^(src/|README\.md$|LICENSE-(MIT|APACHE)$|Cargo\.(toml|toml\.orig|lock)$|\.cargo_vcs_info\.json$)' ;;
    esac
    # Nothing else: no CI scripts, fixtures' node_modules, data generators, targets.
    if stray=$(grep -Ev "$allowed" <<<"$list" || grep -E 'node_modules|/target/|\.py$' <<<"$list"); then
        echo "$p: files that do not belong in the package:"; echo "$stray"; bad=1
    fi
    echo "$p: $(wc -l <<<"$list") files"
done
[ "$bad" = 0 ]

echo "--- public API of proofkey against api/proofkey.txt"
# cargo-public-api reads rustdoc's JSON, which only nightly writes. Both
# are pinned: the tool's version and the nightly's date, so that neither
# the JSON format nor the listing's spelling (`Self` or the type's path)
# drifts when `nightly` moves.
cpa_version=0.52.0
toolchain=nightly-2026-10-29
if ! rustup toolchain list | grep -q "^$toolchain" \
        && ! rustup toolchain install "$toolchain" --profile minimal >/dev/null 2>&1; then
    echo "public API: SKIPPED, $toolchain could not be installed"; exit 0
fi
if [ "$(cargo public-api --version 2>/dev/null)" != "cargo-public-api $cpa_version" ]; then
    cargo install --locked --quiet cargo-public-api --version "$cpa_version"
fi
current=$(mktemp)
trap 'rm -f "$current"' EXIT
# -ss: no blanket or auto-trait impls, which say nothing about this crate.
cargo +"$toolchain" public-api -ss -p proofkey --all-features >"$current" 2>/dev/null
if ! diff -u api/proofkey.txt "$current"; then
    echo "the public API changed (diff above): if intended, regenerate api/proofkey.txt"
    echo "  cargo +$toolchain public-api -ss -p proofkey --all-features > api/proofkey.txt"
    echo "and list the change in CHANGELOG.md"
    exit 1
fi
echo "public API: $(wc -l <api/proofkey.txt) lines, unchanged"
