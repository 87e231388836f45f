#!/usr/bin/env bash
# bench-token.sh: how long "doxls token --key K --force" takes against the
# loopback UAA emulator, next to curl sending the same POST with the same
# credentials. Prints both medians and their ratio (target: doxls within
# 1.5x of curl). Installs hyperfine with apt-get when it is missing.
#
#   scripts/bench-token.sh [RUNS]     (default 200 runs per command)
set -euo pipefail

runs=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
emu_pid=
cleanup() {
	if [[ -n $emu_pid ]]; then
		exec {EMU[1]}>&- 2>/dev/null || true # stdin EOF stops the emulator
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! command -v hyperfine >/dev/null; then
	echo "installing hyperfine" >&2
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine; } >/dev/null
fi
command -v curl >/dev/null || { echo "bench-token.sh: curl is needed" >&2; exit 1; }

cd "$root"
# The release build, as make build and the .vsix make it.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/doxls" .
go build -o "$tmp/uaaemu" ./scripts/uaaemu

coproc EMU { exec "$tmp/uaaemu" -key "$tmp/dox-key.json" -curlrc "$tmp/curl.cfg"; }
emu_pid=$EMU_PID
IFS= read -r info <&"${EMU[0]}"
URL=$(printf '%s' "$info" | sed -n 's/.*"uaaUrl":"\([^"]*\)".*/\1/p')
KEY=$tmp/dox-key.json
CURLRC=$tmp/curl.cfg
echo "emulator: $URL"

# Both must work before they are timed.
"$tmp/doxls" token --key "$KEY" --force >/dev/null
curl -K "$CURLRC"

hyperfine --shell=none --warmup 20 --runs "$runs" --style basic \
	--export-json "$tmp/bench.json" \
	-n doxls "$tmp/doxls token --key $KEY --force" \
	-n curl "curl -K $CURLRC"

# The medians, in the order the commands were given, in milliseconds.
mapfile -t medians < <(awk -F': ' '/"median"/ { gsub(/[ ,]/, "", $2); printf "%.3f\n", $2 * 1000 }' "$tmp/bench.json")
ratio=$(awk -v d="${medians[0]}" -v c="${medians[1]}" 'BEGIN { printf "%.2f", d / c }')
echo
echo "median doxls token --force: ${medians[0]} ms"
echo "median curl (same POST):    ${medians[1]} ms"
echo "ratio doxls/curl:           ${ratio}x (target <= 1.5x)"
