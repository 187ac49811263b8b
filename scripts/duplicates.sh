#!/usr/bin/env bash
# Duplicate check over the tracked tree without generated code (issue 16 item 2).
#
# `duplicates` (see /work/.library/duplicates/README.md) reads every file git
# tracks and has no ignore file, so the protobuf codecs protons writes
# (`src-main/core/net/proto/*.generated.ts`, marked DO NOT EDIT) would pair
# with each other by the dozen. This copies the committed tree (git archive:
# tracked files only) to a temporary folder without them and runs
# `duplicates` there; extra arguments pass through (e.g. `--most 40`).
# For a change under review, `duplicates --change` in the checkout is right
# as it is: a change does not touch generated codecs unless it regenerates them.
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive HEAD | tar -x -C "$tmp"
find "$tmp" -name '*.generated.ts' -delete
duplicates --repo "$tmp" "$@"
