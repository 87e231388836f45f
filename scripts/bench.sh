#!/usr/bin/env bash
# bench.sh: every figure docs/performance.md quotes, measured on this machine.
#   1. in-process: the cached token lookup, .http parse + planning, the
#      server's own share of insertBearer, code lens;
#   2. the language server over stdio: spawn to initialize, cached
#      doxls.getToken round trip, hover and code lens on 5,000 requests,
#      insertBearer on 1,000 / 5,000 / 50,000 requests with the Go test
#      client and with VS Code's client library (node), each with VS Code's
#      incremental didChange and with a full-text one, memory;
#   3. VS Code's client library alone (the floor of every insert figure);
#   4. the CLI against curl on the same loopback UAA emulator.
# RUNS (default 200) sets the runs of bench-token.sh, ITER (default 5) the
# insertBearer iterations per size.
set -euo pipefail
cd "$(dirname "$0")/.."
iter="${ITER:-5}"
echo "== in process (auth, httpfile, server)"
go test -run '^$' -bench . -benchmem ./auth ./httpfile
go test -run '^$' -bench 'ServerShare|Lenses' -benchmem ./server
echo
echo "== server over stdio"
go test -run '^$' -bench 'SpawnToInitialize|GetTokenCached|RoundTripFloor|HoverWhile' -benchtime 200x ./server
go test -run '^$' -bench 'CodeLens|Hover$' -benchtime 100x ./server
go test -run '^$' -bench 'InsertBearer$|InsertBearerVSCodeClient' -benchtime "${iter}x" ./server
echo
echo "== VS Code's client library alone"
(cd test/node && node bench-client-floor.mjs)
echo
echo "== doxls token vs curl"
scripts/bench-token.sh "${RUNS:-200}"
