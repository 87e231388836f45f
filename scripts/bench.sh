#!/usr/bin/env bash
# bench.sh: every figure docs/performance.md quotes, measured on this machine.
#   1. in-process: the cached token lookup, .http parse + planning;
#   2. the language server over stdio: spawn to initialize, cached
#      doxls.getToken round trip, insertBearer on 5,000 requests with the Go
#      test client and with VS Code's client library (node), memory;
#   3. the CLI against curl on the same loopback UAA emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== go test -bench (auth, httpfile)"
go test -run '^$' -bench . -benchmem ./auth ./httpfile
echo
echo "== go test -bench (server over stdio)"
go test -run '^$' -bench 'SpawnToInitialize|GetTokenCached|RoundTripFloor|HoverWhile' -benchtime 200x ./server
go test -run '^$' -bench 'InsertBearerLarge|InsertBearerVSCodeClient' -benchtime 20x ./server
(cd test/node && node bench-client-floor.mjs)
echo
echo "== doxls token vs curl"
scripts/bench-token.sh "${RUNS:-200}"
