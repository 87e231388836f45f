#!/usr/bin/env bash
# The Neovim plugin's unit tests (editors/nvim/test/unit.lua) in
# `nvim --headless`; part of make test. Installs Debian's neovim when it is
# missing: the tests call the vim.* API, which no standalone Lua has.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
plugin=$(cd "$here/.." && pwd)
if ! command -v nvim >/dev/null 2>&1; then
	echo "nvim unit: installing Debian's neovim"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq && $sudo apt-get install -y -qq neovim >/dev/null || {
		echo "nvim unit: FAIL: could not install neovim with apt-get" >&2
		exit 1
	}
fi
nvim --headless -u NONE -i NONE -n --cmd "set rtp^=$plugin" -c "luafile $here/unit.lua" || {
	echo "nvim unit: FAIL (see above)" >&2
	exit 1
}
echo "nvim unit: ok"
