#!/usr/bin/env bash
# Builds the .vsix files, as rust-analyzer's release does: one per VS Code
# target with that platform's static server inside (server/doxls, or
# server/doxls.exe on Windows), and one universal .vsix without a server,
# which runs doxls from PATH or dox.server.path.
#
#   package.sh [--out DIR] [--version V] [--servers DIR] [TARGET...]
#
# TARGET is one of scripts/targets.sh's or "universal"; none means all of
# them. --servers takes prebuilt binaries from DIR/TARGET/doxls[.exe] (make
# release builds them once for archives and .vsix alike). Output:
# DIR/doxls-V-TARGET.vsix (DIR defaults to <repo>/bin, V to package.json's
# version); the last line printed is the last .vsix written.
# Called by "make vsix", scripts/release.sh and scripts/e2e.sh.
set -euo pipefail

code_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$code_dir/../.." && pwd)
fail() { echo "package.sh: $*" >&2; exit 1; }
# shellcheck source=../../../scripts/targets.sh
. "$repo/scripts/targets.sh"

out=$repo/bin version='' servers='' want=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--version) version=$2; shift 2 ;;
	--servers) servers=$2; shift 2 ;;
	-*) fail "unknown option $1" ;;
	*) want+=("$1"); shift ;;
	esac
done
[ ${#want[@]} -gt 0 ] || want=("${targets[@]}" universal)

command -v go >/dev/null || fail "go is not on PATH"
command -v npm >/dev/null || fail "npm is not on PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node 20 or later is needed, this is $(node --version)"
[ -n "$version" ] || version=$(node -p "require('$code_dir/package.json').version")
mkdir -p "$out"
out=$(cd "$out" && pwd)

cd "$code_dir"
# npm ci wipes node_modules: skip it when the lock file has not changed since.
stamp=node_modules/.doxls-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	echo "package.sh: npm ci"
	npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
	touch "$stamp"
fi
npm run --silent typecheck || fail "type check failed"
npm run --silent lint || fail "eslint failed"
npm test --silent >/dev/null 2>&1 || { npm test; fail "unit tests failed"; }

# The server folder is the package's only per-target content; it is put
# back as it was found.
trap 'rm -rf "$code_dir/server"' EXIT
base=https://github.com/doxls/doxls
for target in "${want[@]}"; do
	rm -rf server
	args=()
	if [ "$target" = universal ]; then
		file=$out/doxls-$version-universal.vsix
	else
		goos "$target" >/dev/null || fail "unknown target $target (one of: ${targets[*]} universal)"
		file=$out/doxls-$version-$target.vsix
		bin=$(exe "$target")
		mkdir server
		if [ -n "$servers" ]; then
			cp "$servers/$target/$bin" "server/$bin" || fail "no prebuilt $servers/$target/$bin"
		else
			echo "package.sh: building the doxls server for $target"
			build_server "$repo" "$target" "$version" "$code_dir/server/$bin" || fail "go build for $target failed"
		fi
		chmod 755 "server/$bin"
		args=(--target "$target")
	fi
	# vscode:prepublish bundles with esbuild; the bundle needs no node_modules.
	# Relative links in README.md point into this folder of the repository.
	# The version argument sets the manifest's version without touching
	# package.json.
	npx --no-install vsce package "$version" --no-update-package-json --no-git-tag-version \
		"${args[@]}" --no-dependencies --out "$file" \
		--baseContentUrl "$base/blob/HEAD/editors/code" --baseImagesUrl "$base/raw/HEAD/editors/code" \
		>"$out/.vsce.log" 2>&1 || { cat "$out/.vsce.log" >&2; fail "vsce package for $target failed"; }
	rm -f "$out/.vsce.log"
	[ -s "$file" ] || fail "vsce wrote no $file"
	echo "package.sh: $(du -h "$file" | cut -f1) $file"
done
echo "$file"
