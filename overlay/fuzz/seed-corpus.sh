#!/usr/bin/env bash
# Fills overlay/fuzz/corpus/parse_and_apply/ with starting inputs: the small
# seeds committed in seeds/, plus inputs built from the OAI Overlay
# conformance data when it is found. The corpus directory is git-ignored;
# libFuzzer adds what it finds to it.
#
#   overlay/fuzz/seed-corpus.sh [OAI_OVERLAY_DIR]
#
# Default: $OAI_OVERLAY_DIR or ../shared/oai-overlay (relative to the
# repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$(dirname "$here")")
oai=${1:-${OAI_OVERLAY_DIR:-$repo/../shared/oai-overlay}}

out=$here/corpus/parse_and_apply
mkdir -p "$out"
cp "$here/seeds/parse_and_apply/"* "$out/"

# An input is: document text, NUL, overlay text.
pair() { { cat "$1"; printf '\0'; cat "$2"; } > "$out/$3"; }

if [ -d "$oai/compliant-sets" ]; then
    for set in "$oai"/compliant-sets/*/; do
        name=$(basename "$set")
        pair "$set/openapi.yaml" "$set/overlay.yaml" "oai-set-$name"
    done
    base="$oai/compliant-sets/update-root/openapi.yaml"
    for overlay in "$oai"/tests/*/pass/*.yaml "$oai"/tests/*/fail/*.yaml; do
        kind=$(basename "$(dirname "$overlay")")
        version=$(basename "$(dirname "$(dirname "$overlay")")")
        pair "$base" "$overlay" "oai-$version-$kind-$(basename "$overlay" .yaml)"
    done
else
    echo "no OAI Overlay data at $oai; skipped" >&2
fi

echo "parse_and_apply: $(find "$out" -type f | wc -l) inputs"
