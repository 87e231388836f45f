#!/usr/bin/env bash
# Tries the Emacs eglot recipe of docs/editors.md (block doxls:eglot, verbatim) in
# `emacs --batch` against bin/doxls and the UAA emulator. Not part of
# `make e2e` (Emacs is a large install); installs Debian's emacs-nox and
# elpa-eglot (Emacs 28 has no built-in eglot) when Emacs is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
fail() {
	echo "eglot e2e: FAIL: $*" >&2
	exit 1
}
[ -x "$repo/bin/doxls" ] || fail "$repo/bin/doxls is missing; run make build first"
if ! command -v emacs >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq && $sudo apt-get install -y -qq emacs-nox elpa-eglot >/dev/null ||
		fail "could not install emacs-nox and elpa-eglot"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/doxls-eglot-e2e.XXXXXX")
emu_pid=""
cleanup() {
	[ -z "$emu_pid" ] || kill "$emu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

awk '$0 == "<!-- doxls:eglot:begin -->" { i = 1; next }
	$0 == "<!-- doxls:eglot:end -->" { i = 0 }
	i && !/^```/' "$here/../../../docs/editors.md" >"$work/recipe.el"
[ -s "$work/recipe.el" ] || fail "docs/editors.md block doxls:eglot not found"

(cd "$repo" && go build -o "$work/uaaemu" ./editors/nvim/test/uaaemu) || fail "could not build the UAA emulator"
mkdir -p "$work/ws/keys"
coproc EMU { "$work/uaaemu" -key "$work/ws/keys/dox-key.json"; }
emu_pid=$EMU_PID
read -r -t 30 -u "${EMU[0]}" info || fail "the UAA emulator printed nothing within 30 s"
api=$(printf '%s' "$info" | sed -n 's/.*"apiUrl":"\([^"]*\)".*/\1/p')
printf 'GET %s/document-information-extraction/v1/capabilities\nAccept: application/json\n' "$api" >"$work/ws/dox.http"

# --batch without -Q: Debian's site-start puts elpa-eglot on the load path.
PATH="$repo/bin:$PATH" DOX_E2E_WS="$work/ws" HOME="$work" \
	timeout 60 emacs --batch --eval "(require 'eglot)" -l "$work/recipe.el" -l "$here/eglot.el" \
	>"$work/emacs.out" 2>&1 || { cat "$work/emacs.out" >&2; fail "emacs failed (above)"; }
grep '^eglot e2e: ok$' "$work/emacs.out" || { cat "$work/emacs.out" >&2; fail "no ok from emacs"; }
