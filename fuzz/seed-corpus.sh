#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with starting inputs: the small seeds committed
# in fuzz/seeds/, plus (for spec_loader) inputs built from the Matrix spec and
# the OAI Overlay conformance data when they are found. The corpus directory
# is git-ignored; libFuzzer adds what it finds to it.
#
#   fuzz/seed-corpus.sh [SPEC_DIR] [OAI_OVERLAY_DIR]
#
# Defaults: $MATRIX_SPEC_DIR or ../shared/matrix-spec/v1.19, and
# $OAI_OVERLAY_DIR or ../shared/oai-overlay (relative to the repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
spec=${1:-${MATRIX_SPEC_DIR:-$repo/../shared/matrix-spec/v1.19}}
oai=${2:-${OAI_OVERLAY_DIR:-$repo/../shared/oai-overlay}}

for target in spec_loader response_parsing; do
    mkdir -p "$here/corpus/$target"
    cp "$here/seeds/$target/"* "$here/corpus/$target/"
done

out=$here/corpus/spec_loader
# An input is: spec text, NUL, overlay text[, NUL, second spec file].
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

cs="$spec/data/api/client-server"
if [ -d "$cs" ]; then
    # The files small enough for the 64 KiB input limit, one per seed, with
    # the project's overlay on refresh.yaml.
    find "$cs" -name '*.yaml' -size -16k | sort | while read -r file; do
        name=$(echo "${file#"$cs"/}" | tr / _)
        { cat "$file"; printf '\0'; } > "$out/matrix-$name"
    done
    pair "$cs/refresh.yaml" "$repo/spec/overlays/famedly-refresh-lifetime.yaml" matrix-refresh-overlay
else
    echo "no Matrix spec at $spec; skipped" >&2
fi

for target in spec_loader response_parsing; do
    echo "$target: $(find "$here/corpus/$target" -type f | wc -l) inputs"
done
