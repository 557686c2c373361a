#!/usr/bin/env bash
# Cross-checks the change report (`cargo xtask diff`) with cargo-semver-checks
# on the crate generated from two spec releases (README, "The change report").
#
#   scripts/semver-check.sh FROM_SPEC_DIR TO_SPEC_DIR
#       e.g. ../shared/matrix-spec/v1.18 ../shared/matrix-spec/v1.19,
#       with this project's spec/ (config and overlays);
#   scripts/semver-check.sh --fixture
#       the change report's fixture pair (generator/tests/fixtures/changes:
#       spec-old/, spec-new/ and its own project/).
#
# Each release gets a scratch workspace under target/semver-check/<side>/:
# the workspace manifest (members: generated, runtime), a copy of runtime/,
# the project's spec/ folder, and generated/ made from the release by
# `cargo xtask gen --update-pin <release dir name>` run against that
# workspace, so this checkout's generated/ and spec/pin.toml are not touched.
# cargo-semver-checks then compares the newer crate with the older one
# (baseline), all features on (the reqwest client and the overlays'
# experimental features, as in the models the report compares). Both keep
# the same [crate] version, so cargo-semver-checks says whether the changes
# it sees need a new version at all and which. The script prints both
# reports and exits with cargo-semver-checks' status (non-zero when it finds
# changes that need a new major version).
#
# Not part of CI, and not a dependency of the project: install it with
# `cargo install cargo-semver-checks --locked` (it builds rustdoc JSON on the
# stable toolchain). The first run builds the crate's dependencies into
# target/semver-check/target (about 2 minutes here).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work="$repo/target/semver-check"
project="$repo/spec"

case "$*" in
    --fixture)
        fixture="$repo/generator/tests/fixtures/changes"
        project="$fixture/project"
        rm -rf "$work/fixture-specs"
        mkdir -p "$work/fixture-specs/old" "$work/fixture-specs/new"
        cp -r "$fixture/spec-old" "$work/fixture-specs/old/data"
        cp -r "$fixture/spec-new" "$work/fixture-specs/new/data"
        from="$work/fixture-specs/old"
        to="$work/fixture-specs/new"
        ;;
    *)
        if [[ $# -ne 2 ]]; then
            echo "usage: $0 FROM_SPEC_DIR TO_SPEC_DIR | $0 --fixture" >&2
            exit 2
        fi
        from=$(cd "$1" && pwd)
        to=$(cd "$2" && pwd)
        ;;
esac
command -v cargo-semver-checks >/dev/null || {
    echo "cargo-semver-checks not found: cargo install cargo-semver-checks --locked" >&2
    exit 2
}
package=$(sed -n '/^\[crate\]/,/^\[/s/^name = "\(.*\)"$/\1/p' "$project/generator.toml")

cargo build --quiet --manifest-path "$repo/Cargo.toml" -p xtask
xtask="$repo/target/debug/xtask"

for side in baseline current; do
    dir="$work/$side"
    rm -rf "$dir"
    mkdir -p "$dir/xtask"
    # The repository's manifest (for the workspace's shared package fields
    # and dependencies) with only the two crates as members.
    sed 's/^members = .*/members = ["generated", "runtime"]/' "$repo/Cargo.toml" >"$dir/Cargo.toml"
    cp "$repo/Cargo.lock" "$dir/"
    cp -r "$repo/runtime" "$dir/runtime"
    cp -r "$project" "$dir/spec"
    # Marks the workspace as the repository root for xtask.
    touch "$dir/xtask/Cargo.toml"
done

echo "== cargo xtask diff ($(basename "$from") → $(basename "$to"))"
CARGO_MANIFEST_DIR="$work/current/xtask" "$xtask" diff --from "$from" --to "$to"

# xtask finds the repository through CARGO_MANIFEST_DIR: the scratch one.
# The older release is generated without the overlays that do not fit it
# (as the report builds its model): gen refuses them, so they are dropped
# from its config, one at a time, until it generates.
for side in baseline:"$from" current:"$to"; do
    name=${side%%:*}
    spec=${side#*:}
    config="$work/$name/spec/generator.toml"
    until out=$(CARGO_MANIFEST_DIR="$work/$name/xtask" "$xtask" gen --spec "$spec" \
        --update-pin "$(basename "$spec")" 2>&1); do
        overlay=$(sed -n 's/.*overlay [^ ]*\/spec\/\(overlays\/[^ :]*\.yaml\).*selects nothing.*/\1/p' <<<"$out" | head -n 1)
        if [[ $name != baseline || -z $overlay ]]; then
            echo "$out" >&2
            exit 1
        fi
        echo "note: $overlay left out of $(basename "$spec")"
        sed -i "s|\"$overlay\",\{0,1\}||" "$config"
    done
done

echo
echo "== cargo semver-checks (baseline: $(basename "$from"), current: $(basename "$to"))"
CARGO_TARGET_DIR="$work/target" cargo semver-checks check-release \
    --manifest-path "$work/current/Cargo.toml" \
    --package "$package" \
    --baseline-root "$work/baseline" \
    --all-features
