package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testbin"
)

// TestVSCodeClientLibrary runs test/node/lsp.test.mjs: the server as VS
// Code's own LSP client library (vscode-languageserver-protocol) sees it.
func TestVSCodeClientLibrary(t *testing.T) {
	e := newEnv(t, uaatest.Options{})
	cmd := e.node("--test", "--test-reporter=spec", "lsp.test.mjs")
	cmd.Env = append(cmd.Env, "DOXLS_CLIENT_ID="+uaatest.DefaultClient.ID)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test lsp.test.mjs: %v\n%s", err, safe(string(out)))
	}
	t.Logf("%s", safe(string(out)))
}

// BenchmarkInsertBearerVSCodeClient is BenchmarkInsertBearer with VS
// Code's client library on the other end (test/node/bench-insert.mjs): the
// round trip an editor user waits for. The figures are its metrics; ns/op
// also counts starting node and the server.
//
//	go test -run '^$' -bench InsertBearerVSCodeClient -benchtime 5x ./server
func BenchmarkInsertBearerVSCodeClient(b *testing.B) {
	for _, mode := range []string{"header", "variable"} {
		for _, shape := range []string{"vscode", "full"} {
			for _, n := range insertSizes[mode] {
				b.Run(fmt.Sprintf("mode=%s/client=%s/requests=%d", mode, shape, n), func(b *testing.B) {
					e := newEnv(b, uaatest.Options{})
					cmd := e.node("bench-insert.mjs")
					cmd.Env = append(cmd.Env, "DOXLS_MODE="+mode, "DOXLS_SHAPE="+shape,
						"DOXLS_REQUESTS="+strconv.Itoa(n), "DOXLS_ITER="+strconv.Itoa(b.N))
					cmd.Stderr = os.Stderr
					out, err := cmd.Output()
					if err != nil {
						b.Fatalf("node bench-insert.mjs: %v\n%s", err, safe(string(out)))
					}
					var res struct{ P50ms, Maxms, RssMB float64 }
					if err := json.Unmarshal(out, &res); err != nil {
						b.Fatalf("bench-insert.mjs printed %q: %v", safe(string(out)), err)
					}
					b.ReportMetric(res.P50ms, "ms-p50")
					b.ReportMetric(res.Maxms, "ms-max")
					b.ReportMetric(res.RssMB, "MB-rss")
				})
			}
		}
	}
}

// node prepares a run of a script in test/node against the built server
// and e's emulator.
func (e *env) node(args ...string) *exec.Cmd {
	e.t.Helper()
	_, file, _, _ := runtime.Caller(0)
	nodeDir := filepath.Join(filepath.Dir(file), "..", "test", "node")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(nodeDir, "node_modules", "vscode-languageserver-protocol"))
	}
	if err != nil {
		testbin.Missing(e.t, "node with test/node's packages (make node-deps)", err)
	}
	bin, err := testbin.Path()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), e.envs...)
	cmd.Env = append(cmd.Env, "DOXLS_BIN="+bin, "DOXLS_WORKSPACE="+e.dir, "DOXLS_API="+e.apiURL())
	return cmd
}

// safe redacts JWTs from tool output before it reaches a test log.
func safe(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \n\r\t\"'`:", r) }) {
		if strings.HasPrefix(f, "ey") && strings.Count(f, ".") == 2 {
			s = strings.ReplaceAll(s, f, auth.Redact(f))
		}
	}
	return s
}
