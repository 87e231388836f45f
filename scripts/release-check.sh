#!/usr/bin/env bash
# release-check.sh: what make e2e checks of a release (docs/release.md).
# Builds one with scripts/release.sh, checks it (sha256sum -c, test/dist:
# each .vsix's target and server, each archive's binary and version), then
# builds the archives again from a copy of the tree at another path and
# compares them byte for byte: the build is reproducible.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "release check: $*"; }
fail() { echo "release check: FAIL: $*" >&2; exit 1; }
version=${VERSION:-0.0.0-check}
work=$(mktemp -d /tmp/doxls-release-XXXXXX)
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
"$repo/scripts/release.sh" "$version" "$work/a" >"$work/a.log" 2>&1 || { cat "$work/a.log" >&2; fail "release.sh"; }
say "built $(ls "$work/a" | wc -l) files in $(($(date +%s) - start))s"
(cd "$work/a" && sha256sum -c --quiet SHA256SUMS) || fail "sha256sum -c SHA256SUMS"
DOXLS_DIST=$work/a DOXLS_DIST_VERSION=$version go -C "$repo" test -count=1 ./test/dist >"$work/dist.log" 2>&1 ||
	{ cat "$work/dist.log" >&2; fail "test/dist"; }
say "test/dist passed; sha256sum -c passed"

# The same commit elsewhere: the tracked and new files, not node_modules.
mkdir "$work/src"
git -C "$repo" ls-files -co --exclude-standard -z | (cd "$repo" && xargs -0 cp --parents -t "$work/src" 2>/dev/null) || true
start=$(date +%s)
SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct) "$work/src/scripts/release.sh" --archives-only "$version" "$work/b" >"$work/b.log" 2>&1 ||
	{ cat "$work/b.log" >&2; fail "the second build"; }
for f in "$work"/b/*.tar.gz "$work"/b/*.zip; do
	cmp -s "$f" "$work/a/$(basename "$f")" || fail "$(basename "$f") differs between two builds of one commit"
done
say "a second build at another path gave the same archives ($(($(date +%s) - start))s)"
