#!/usr/bin/env bash
# fuzz.sh: run every fuzz target for a while (default 20s each). New
# failing inputs land in the package's testdata/fuzz and become seeds.
#
#   scripts/fuzz.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-20s}
for pkg in ./auth ./httpfile ./envfile ./internal/lspconn; do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
		echo "== $pkg $target ($time)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg"
	done
done
