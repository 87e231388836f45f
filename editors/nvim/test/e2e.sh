#!/usr/bin/env bash
# End-to-end test of the Neovim plugin (and of the plain vim.lsp recipe):
# real `nvim --headless` running the set-up blocks of docs/editors.md verbatim, against
# bin/doxls (make build) and the UAA emulator, in a throw-away workspace.
# Called by `make e2e`; installs Debian's neovim when it is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
plugin=$(cd "$here/.." && pwd)
repo=$(cd "$plugin/../.." && pwd)
bin="$repo/bin/doxls"
readme="$plugin/../../docs/editors.md" # the docs users read are what runs
deadline=60 # seconds for each nvim run

fail() {
	echo "nvim e2e: FAIL: $*" >&2
	exit 1
}
step() { echo "nvim e2e: $*"; }
# A process that exited but was not reaped (PID 1 in a container may not reap)
# counts as gone.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

[ -x "$bin" ] || fail "$bin is missing; run make build first"

if ! command -v nvim >/dev/null 2>&1; then
	step "installing Debian's neovim"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq && $sudo apt-get install -y -qq neovim >/dev/null ||
		fail "could not install neovim with apt-get"
fi
step "$(nvim --version | head -n1)"

work=$(mktemp -d "${TMPDIR:-/tmp}/doxls-nvim-e2e.XXXXXX")
emu_pid=""
server_pids=()
cleanup() {
	local pid
	for pid in "${server_pids[@]}" $emu_pid; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# A docs/editors.md block between <!-- doxls:NAME:begin --> and <!-- doxls:NAME:end -->,
# without its ``` fence lines: the test runs what the docs say, verbatim.
block() {
	local text
	text=$(awk -v name="$1" '
		$0 == "<!-- doxls:" name ":begin -->" { inside = 1; next }
		$0 == "<!-- doxls:" name ":end -->" { inside = 0 }
		inside && !/^```/ { print }
	' "$readme")
	[ -n "$text" ] || fail "block doxls:$1 not found in $readme"
	printf '%s\n' "$text"
}

step "unit tests of the Lua helpers"
nvim --headless -u NONE -i NONE -n --cmd "set rtp^=$plugin" -c "luafile $here/unit.lua" ||
	fail "unit tests failed (see above)"

step "starting the UAA emulator"
(cd "$repo" && go build -o "$work/uaaemu" ./scripts/uaaemu) || fail "could not build the UAA emulator"
ws="$work/workspace"
mkdir -p "$ws/keys" "$work/spare"
key1="keys/dox-first.json"
key2="keys/dox-second.json"
coproc EMU { "$work/uaaemu" -key "$ws/$key1" -key "$ws/$key2"; }
emu_pid=$EMU_PID
read -r -t 30 -u "${EMU[0]}" info || fail "the UAA emulator printed nothing within 30 s"
api=$(printf '%s' "$info" | sed -n 's/.*"apiUrl":"\([^"]*\)".*/\1/p')
[ -n "$api" ] || fail "no apiUrl in the emulator's answer: $info"
clients=$(printf '%s' "$info" | grep -o '"clientId":"[^"]*"' | sed 's/"clientId":"\(.*\)"/\1/')

cat >"$ws/dox.http" <<EOF
# DOX requests against the emulator
@api = $api

GET {{api}}/document-information-extraction/v1/capabilities
Accept: application/json

###
GET https://example.com/status
Accept: application/json

###
POST {{api}}/document-information-extraction/v1/document/jobs
Content-Type: application/json

{"clientId": "default"}
EOF

printf 'GET %s/document-information-extraction/v1/capabilities\n' "$api" >"$ws/other.rest"

# DOX_E2E_SERVER_LOG=FILE: the server logs at debug level to FILE, through a
# wrapper that comes first on PATH (the docs block runs plain "doxls").
serverbin="$repo/bin"
if [ -n "${DOX_E2E_SERVER_LOG:-}" ]; then
	serverbin="$work/bin"
	mkdir -p "$serverbin"
	printf '#!/bin/sh\n[ $# -eq 0 ] || exec %q "$@"\nexec %q serve --log-level debug --log-file %q\n' \
		"$bin" "$bin" "$DOX_E2E_SERVER_LOG" >"$serverbin/doxls"
	chmod +x "$serverbin/doxls"
fi

# :DoxSwagger hands the URL to the system opener: on Neovim before 0.10 that
# is xdg-open, which this stand-in replaces, writing what it got to a file.
opener="$work/opener"
mkdir -p "$opener"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%q\n' "$work/opened" >"$opener/xdg-open"
chmod +x "$opener/xdg-open"

# run_nvim MODE WORKSPACE INIT_BLOCKS...: one headless Neovim in WORKSPACE with
# an init.lua made of the named blocks of docs/editors.md, driven by driver.lua.
run_nvim() {
	local mode=$1 dir=$2
	shift 2
	local home="$work/home-$mode" init="$work/init-$mode.lua" out="$work/out-$mode"
	mkdir -p "$home"
	{
		echo "vim.opt.runtimepath:prepend('$plugin')"
		echo "vim.lsp.set_log_level('WARN')"
		for name in "$@"; do block "$name"; done
		echo "dofile('$here/driver.lua')"
	} >"$init"
	local status=0
	(
		cd "$dir"
		export PATH="$serverbin:$opener:$PATH" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
			XDG_STATE_HOME="$home/state" XDG_DATA_HOME="$home/data" \
			DOX_E2E_MODE="$mode" DOX_E2E_OUT="$out" DOX_E2E_API="$api" DOX_E2E_CLIENTS="$clients" \
			DOX_E2E_KEY1="$key1" DOX_E2E_KEY2="$key2" DOX_E2E_COMMAND="$(block nvim-plain-command)" \
			DOX_E2E_OPENED="$work/opened"
		unset DOX_SERVICE_KEY VCAP_SERVICES
		timeout "$deadline" nvim --headless -n -i NONE -u "$init" dox.http </dev/null >"$work/nvim-$mode.out" 2>&1
	) || status=$?
	# Headless Neovim prints its messages ("Workspace edit …") and the
	# driver's failure there; show them only when something failed.
	[ "$status" -eq 0 ] || { cat "$work/nvim-$mode.out" && echo; } >&2
	[ "$status" -ne 124 ] || fail "$mode: Neovim did not finish within $deadline s"
	[ "$status" -eq 0 ] || fail "$mode: Neovim exited with status $status (see above)"
	[ "$(sed -n 2p "$out" 2>/dev/null)" = ok ] || fail "$mode: the driver did not finish"

	# Quitting shut the server down: the process is gone (wait for it, Neovim
	# gives it 500 ms before it kills it) and the LSP log has no error.
	local pid
	pid=$(sed -n 1p "$out")
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "$mode: no server pid recorded"
	server_pids+=("$pid")
	if [ "$mode" = plugin ]; then
		local ended
		ended=$(sed -n 3p "$out")
		[ -n "$ended" ] || fail "$mode: the server had not exited 500 ms after Neovim sent shutdown and exit"
		[ "$ended" = "exit 0 0" ] || fail "$mode: the server ended with '$ended' (code, signal), want a clean exit 0"
	fi
	local gone=""
	for _ in $(seq 50); do
		if ! alive "$pid"; then gone=1 && break; fi
		sleep 0.1
	done
	[ -n "$gone" ] || fail "$mode: the server (pid $pid) still runs after Neovim quit"
	local log
	log=$(find "$home" -name lsp.log 2>/dev/null | head -n1)
	if [ -n "$log" ] && grep -q 'ERROR' "$log"; then
		grep 'ERROR' "$log" | head -n 5 >&2
		fail "$mode: the LSP log $log has errors (above)"
	fi
	step "$mode: ok"
}

step "Neovim with the plugin (docs/editors.md doxls:nvim-setup + doxls:nvim-statusline)"
run_nvim plugin "$ws" nvim-setup nvim-statusline

# The plain recipe for the Neovim at hand, in a workspace with one key.
plain="$work/plain"
mkdir -p "$plain/keys"
cp "$ws/$key1" "$plain/$key1"
cp "$ws/dox.http" "$plain/dox.http"
recipe=nvim-plain-0.7
if nvim --headless -u NONE -i NONE -c 'if has("nvim-0.8") | cquit 0 | else | cquit 1 | endif' >/dev/null 2>&1; then
	recipe=nvim-plain-0.8
fi
step "Neovim without the plugin (docs/editors.md doxls:$recipe)"
run_nvim plain "$plain" "$recipe"

step "all passed"
