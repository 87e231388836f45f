#!/usr/bin/env bash
# release.sh [--archives-only] VERSION [OUT]: everything a release publishes,
# in OUT (default <repo>/dist, emptied first):
#   doxls-VERSION-TARGET.tar.gz   (.zip for win32-*): doxls[.exe] and LICENSE
#   doxls-VERSION-TARGET.vsix     the VS Code extension with that server
#   doxls-VERSION-universal.vsix  the extension without a server
#   SHA256SUMS                    for sha256sum -c
# for every target in scripts/targets.sh. Binaries and archives are
# reproducible: the same commit gives the same bytes (no paths, no build id,
# file times from the commit: SOURCE_DATE_EPOCH). --archives-only skips the
# .vsix files (scripts/release-check.sh builds twice and compares).
# docs/release.md describes the whole procedure.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() { echo "release.sh: $*" >&2; exit 1; }
. "$repo/scripts/targets.sh"

vsix=1
[ "${1:-}" = --archives-only ] && { vsix=0; shift; }
version=${1:-}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "usage: release.sh [--archives-only] VERSION [OUT], VERSION as 1.2.3 or 1.2.3-rc.1"
out=${2:-$repo/dist}

for tool in go tar gzip sha256sum; do command -v $tool >/dev/null || fail "$tool is not on PATH"; done
if ! command -v zip >/dev/null; then
	[ "$(id -u)" = 0 ] || fail "zip is not on PATH (apt-get install zip)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zip >/dev/null || fail "could not install zip"
fi

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

for target in "${targets[@]}"; do
	bin=$(exe "$target")
	mkdir -p "$work/servers/$target" "$work/stage/$target"
	if [ "$target" = alpine-x64 ] && [ -f "$work/servers/linux-x64/doxls" ]; then
		cp "$work/servers/linux-x64/doxls" "$work/servers/$target/doxls" # static: one binary for both
	else
		echo "release.sh: building $target"
		build_server "$repo" "$target" "$version" "$work/servers/$target/$bin" || fail "go build for $target failed"
	fi
	stage=$work/stage/$target
	install -m 755 "$work/servers/$target/$bin" "$stage/$bin"
	install -m 644 "$repo/editors/code/LICENSE" "$stage/LICENSE"
	touch -h -d "@$epoch" "$stage/$bin" "$stage/LICENSE"
	name=doxls-$version-$target
	if [ "$(goos "$target")" = windows ]; then
		(cd "$stage" && TZ=UTC zip -q -X -9 "$out/$name.zip" LICENSE "$bin")
	else
		tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=ustar \
			-cf - LICENSE "$bin" | gzip -9 -n >"$out/$name.tar.gz"
	fi
done

if [ $vsix = 1 ]; then
	"$repo/editors/code/scripts/package.sh" --out "$out" --version "$version" --servers "$work/servers" >"$work/package.log" 2>&1 ||
		{ cat "$work/package.log" >&2; fail "packaging the .vsix files failed"; }
fi
cd "$out"
files=(*.tar.gz *.zip)
[ $vsix = 0 ] || files+=(*.vsix)
sha256sum -- "${files[@]}" >SHA256SUMS
echo "release.sh: $(ls "$out" | wc -l) files in $out"
