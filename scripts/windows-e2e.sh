#!/usr/bin/env bash
# The Windows lane of make e2e, run under Wine on Linux:
#   (a) every package's Go tests built for windows/amd64 (GOOS=windows
#       go test -c), each run with wine in its package folder;
#   (b) test/windows: an LSP session against doxls.exe under Wine, driven
#       with the URIs VS Code on Windows sends (file:///z%3A/tmp/…).
# Wine and the MinGW compiler come from ../shared/tools/wine-go/setup.sh
# (beside the clone; DOXLS_WINE_GO names another copy). Missing tools fail
# the lane when DOXLS_REQUIRE_TOOLS=1 (make exports it) or CI=true, and
# skip it otherwise. docs/release.md says what Wine gets wrong and how the
# set-up here works around it.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "windows e2e: $*"; }
fail() { echo "windows e2e: FAIL: $*" >&2; exit 1; }
missing() {
	if [ "${DOXLS_REQUIRE_TOOLS:-}" = 1 ] || [ "${CI:-}" = true ]; then fail "$*"; fi
	say "SKIP: $*"; exit 0
}

wine_go=${DOXLS_WINE_GO:-}
if [ -z "$wine_go" ]; then
	# CI has ../shared beside the clone; a git worktree sits one level deeper.
	for d in "$repo/../shared/tools/wine-go" "$repo/../../shared/tools/wine-go"; do
		[ -f "$d/setup.sh" ] && { wine_go=$(cd "$d" && pwd); break; }
	done
fi
[ -n "$wine_go" ] && [ -f "$wine_go/setup.sh" ] || missing "no wine-go set-up at ../shared/tools/wine-go (set DOXLS_WINE_GO)"
command -v go >/dev/null || missing "go is not on PATH"

# One Wine prefix for this lane, kept between runs (making one takes a while).
prefix=${DOXLS_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/doxls/wine}
mkdir -p "$(dirname "$prefix")"
eval "$(bash "$wine_go/setup.sh" "$prefix")" || fail "$wine_go/setup.sh failed"
command -v wine >/dev/null || fail "setup.sh left no wine on PATH"

work=$(mktemp -d /tmp/doxls-win-XXXXXX)
temp="$prefix/drive_c/users/$(id -un)/Temp"
cleanup() {
	rm -rf "$work"
	# What a crashed test left in the prefix's temp folder (TMP cannot be
	# pointed elsewhere: Wine sets it from the prefix's registry).
	[ -d "$temp" ] && find "$temp" -mindepth 1 -maxdepth 1 -newer "$work.stamp" -exec rm -rf {} + 2>/dev/null
	rm -f "$work.stamp"
}
touch "$work.stamp"
trap cleanup EXIT
winpath() { printf 'Z:%s' "${1//\//\\}"; }

export GOOS=windows GOARCH=amd64 CGO_ENABLED=0
say "building doxls.exe"
(cd "$repo" && go build -trimpath -ldflags "-s -w -buildid=" -o "$work/doxls.exe" .) || fail "go build of doxls.exe failed"
wine "$work/doxls.exe" version | grep -q '^doxls ' || fail "doxls.exe does not run under Wine"

# Wine answers STATUS_NOT_IMPLEMENTED to the delete call os.RemoveAll makes
# (FileDispositionInformationEx); Go falls back to the older call only for
# the statuses Windows gives. The test binaries, never doxls.exe, are built
# with a copy of that runtime file that takes Wine's status as one of them,
# so that every t.TempDir is removed as on Windows.
at=$(go env GOROOT)/src/internal/syscall/windows/at_windows.go
grep -q '	case STATUS_INVALID_INFO_CLASS,' "$at" || fail "$at changed: the Wine overlay needs a new anchor"
sed 's/	case STATUS_INVALID_INFO_CLASS,/	case NTStatus(0xC0000002), STATUS_INVALID_INFO_CLASS, \/\/ Wine: STATUS_NOT_IMPLEMENTED/' "$at" >"$work/at_windows.go"
printf '{"Replace":{"%s":"%s"}}\n' "$at" "$work/at_windows.go" >"$work/overlay.json"

# (a) the Go tests. The test binaries start the prebuilt doxls.exe, since no
# Go toolchain runs inside Wine; git and node tests skip there, saying so.
export DOXLS_TEST_BINARY
DOXLS_TEST_BINARY=$(winpath "$work/doxls.exe")
failed=()
cd "$repo"
for pkg in $(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' ./...); do
	rel=${pkg#"$repo"}; rel=${rel#/}; name=${rel:-root}; name=${name//\//_}
	[ "$rel" = test/windows ] && continue # (b) runs on Linux and drives Wine
	go test -c -overlay "$work/overlay.json" -o "$work/$name.test.exe" "./$rel" >"$work/$name.build" 2>&1 ||
		{ cat "$work/$name.build" >&2; failed+=("$name (build)"); continue; }
	start=$(date +%s)
	if (cd "$pkg" && GOOS= GOARCH= timeout 900 wine "$work/$name.test.exe" -test.v -test.timeout 14m >"$work/$name.out" 2>&1); then
		skips=$(grep -c -- '--- SKIP' "$work/$name.out" || true)
		say "ok   ${rel:-.} ($(($(date +%s) - start))s, $skips skipped)"
	else
		grep -E -- '^\s*--- (FAIL|SKIP)|_test\.go:[0-9]+:|^panic|^FAIL' "$work/$name.out" | head -40 >&2
		say "FAIL ${rel:-.}"
		failed+=("${rel:-.}")
	fi
done
# Every skip names its reason; count the Wine-specific ones.
grep -ho 'under Wine: .*\|[^:]*: the Wine prefix has no Windows build of it' "$work"/*.out | sort | uniq -c |
	sed 's/^ */windows e2e: skipped /; s/  */ /g' || true

# (b) the LSP session, driven from Linux.
unset GOOS GOARCH
say "LSP session against doxls.exe with Windows URIs"
DOXLS_WINE_DOXLS="$work/doxls.exe" go test -count=1 -v -run . ./test/windows >"$work/session.out" 2>&1 ||
	{ cat "$work/session.out" >&2; failed+=("test/windows session"); }
grep -E -- '^\s*(--- |ok|FAIL)' "$work/session.out" | sed 's/^/windows e2e: /'

[ ${#failed[@]} -eq 0 ] || fail "${failed[*]}"
say "PASS"
