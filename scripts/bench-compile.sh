#!/usr/bin/env bash
# Compile time and code size of the generated crate against ruma-client-api,
# measured in one run on this machine (BENCHMARKS.md, sections 3 and 4),
# and the size of the events code against ruma-events.
#
#   scripts/bench-compile.sh [--runs N]
#
# Both crates are built from two scratch projects under
# target/bench-compile/ (outside the workspace, one shared target folder),
# sans-IO on both sides: matrix-csapi without its reqwest client against
# ruma-client-api with its `client` feature (request/response conversions
# only; ruma ships no HTTP client in it). Third-party dependencies (serde,
# http, ...) are built once beforehand; each timed run first removes the
# compared crates with `cargo clean -p`, so a run is a clean build of:
#   crate  - the API crate alone (matrix-csapi | ruma-client-api);
#   family - the API crate with the project's own crates under it
#            (+ matrix-csapi-runtime | + ruma-common, ruma-events,
#            ruma-macros, ruma-identifiers-validation).
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail

runs=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
    esac
done

command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/bench-compile"
ruma_version="0.25.2"
mkdir -p "$work/ours/src" "$work/ruma/src"
export CARGO_TARGET_DIR="$work/target"

cat >"$work/ours/Cargo.toml" <<EOF
[package]
name = "bench-ours"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
matrix-csapi = { path = "$repo/generated", default-features = false }

[workspace]
EOF
cat >"$work/ruma/Cargo.toml" <<EOF
[package]
name = "bench-ruma"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
ruma-client-api = { version = "=$ruma_version", features = ["client"] }

[workspace]
EOF
: >"$work/ours/src/lib.rs"
: >"$work/ruma/src/lib.rs"

ours="$work/ours/Cargo.toml"
ruma="$work/ruma/Cargo.toml"
# The crates each timed run rebuilds (see the header).
crates() { # ours|ruma crate|family
    case "$1-$2" in
        ours-crate) echo "-p matrix-csapi" ;;
        ours-family) echo "-p matrix-csapi -p matrix-csapi-runtime" ;;
        ruma-crate) echo "-p ruma-client-api" ;;
        ruma-family) echo "-p ruma-client-api -p ruma-common -p ruma-events -p ruma-macros -p ruma-identifiers-validation" ;;
    esac
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rustc --version)"
echo "== warming up: building all dependencies once (debug and release)"
for manifest in "$ours" "$ruma"; do
    cargo build -q --manifest-path "$manifest"
    cargo build -q --manifest-path "$manifest" --release
done

mkdir -p "$work/results"
measure() { # name profile-flag
    local name="$1" profile="$2" flags=()
    [[ "$profile" == release ]] && flags=(--release)
    echo "== $name, $profile: clean build, $runs runs each"
    hyperfine --runs "$runs" --style basic \
        --export-markdown "$work/results/$name-$profile.md" \
        --export-json "$work/results/$name-$profile.json" \
        --command-name "matrix-csapi ($name)" \
        --prepare "cargo clean -q --manifest-path $ours ${flags[*]} $(crates ours "$name")" \
        "cargo build -q --manifest-path $ours ${flags[*]}" \
        --command-name "ruma-client-api $ruma_version ($name)" \
        --prepare "cargo clean -q --manifest-path $ruma ${flags[*]} $(crates ruma "$name")" \
        "cargo build -q --manifest-path $ruma ${flags[*]}"
}
for profile in debug release; do
    for name in crate family; do
        measure "$name" "$profile"
    done
done

echo "== ratios (matrix-csapi / ruma-client-api, mean wall time)"
for f in "$work"/results/*.json; do
    python3 - "$f" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, ruma = r[0]["mean"], r[1]["mean"]
name = sys.argv[1].rsplit("/", 1)[1].removesuffix(".json")
print(f"{name:16} ours {ours:7.2f} s  ruma {ruma:7.2f} s  ratio {ours / ruma:.2f}x")
PY
done

echo "== size: lines of Rust"
count() { find "$@" -name '*.rs' -print0 | xargs -0 cat | wc -l; }
source_dir() { # crate name -> its folder in the cargo registry
    cargo metadata -q --format-version 1 --manifest-path "$ruma" \
        | python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]==sys.argv[1]).rsplit("/",1)[0])' "$1"
}
ruma_src="$(source_dir ruma-client-api)"
ruma_events_src="$(source_dir ruma-events)"
ruma_macros_src="$(source_dir ruma-macros)"
echo "matrix-csapi generated/src (all files):             $(count "$repo/generated/src")"
echo "matrix-csapi without test_support.rs (the API):     $(find "$repo/generated/src" -name '*.rs' ! -name test_support.rs -print0 | xargs -0 cat | wc -l)"
echo "ruma-client-api $ruma_version src (hand-written, macros): $(count "$ruma_src/src")"
# Events (issue 14): our generated content types and enums with the
# runtime's event traits and macros, against ruma-events (and the event
# macros of ruma-macros that expand its types into events and enums).
echo "matrix-csapi events (generated/src/events.rs + runtime/src/events.rs): $(cat "$repo/generated/src/events.rs" "$repo/runtime/src/events.rs" | wc -l)"
echo "ruma-events src:                                    $(count "$ruma_events_src/src")"
echo "ruma-macros src/events.rs + src/events/:            $(count "$ruma_macros_src/src/events.rs" "$ruma_macros_src/src/events")"
echo "operations in matrix-csapi: $(grep -c 'const METADATA' -r "$repo/generated/src" | awk -F: '{s+=$2} END {print s}')"
