#!/usr/bin/env bash
# Builds the linux-x64 .vsix with the doxls server inside:
#   go build of the repository root  -> editors/code/server/doxls
#   npm ci, type check, lint, unit tests, esbuild bundle, vsce package
#   -> <repo>/bin/doxls-<version>-linux-x64.vsix (path printed on the last line)
# Called by "make vsix" and by scripts/e2e.sh.
set -euo pipefail

code_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$code_dir/../.." && pwd)
fail() { echo "package.sh: $*" >&2; exit 1; }

command -v go >/dev/null || fail "go is not on PATH"
command -v npm >/dev/null || fail "npm is not on PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node 20 or later is needed, this is $(node --version)"

version=$(node -p "require('$code_dir/package.json').version")
out="$repo/bin/doxls-$version-linux-x64.vsix"

echo "package.sh: building the doxls server for linux/amd64"
mkdir -p "$code_dir/server"
(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
  go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$code_dir/server/doxls" .) \
  || fail "go build of $repo failed"
"$code_dir/server/doxls" version >/dev/null || fail "the built server does not run"

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

mkdir -p "$repo/bin"
echo "package.sh: vsce package"
# vscode:prepublish bundles with esbuild; the bundle needs no node_modules.
# Relative links in README.md point into this folder of the repository.
base=https://github.com/doxls/doxls
npx --no-install vsce package --target linux-x64 --no-dependencies --out "$out" \
  --baseContentUrl "$base/blob/HEAD/editors/code" --baseImagesUrl "$base/raw/HEAD/editors/code" \
  || fail "vsce package failed (run it in $code_dir to see why)"
[ -s "$out" ] || fail "vsce wrote no $out"
echo "package.sh: $(du -h "$out" | cut -f1) $out"
echo "$out"
