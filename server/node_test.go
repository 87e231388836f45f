package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth"
	"github.com/doxls/doxls/auth/uaatest"
	"github.com/doxls/doxls/internal/testbin"
)

// TestVSCodeClientLibrary runs test/node/lsp.test.mjs: the server as VS
// Code's own LSP client library (vscode-languageserver-protocol) sees it.
func TestVSCodeClientLibrary(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	nodeDir := filepath.Join(filepath.Dir(file), "..", "test", "node")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(nodeDir, "node_modules", "vscode-languageserver-protocol"))
	}
	if err != nil {
		testbin.Missing(t, "node with test/node's packages (make node-deps)", err)
	}
	bin, err := testbin.Path()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, uaatest.Options{})
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "lsp.test.mjs")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), e.envs...)
	cmd.Env = append(cmd.Env,
		"DOXLS_BIN="+bin,
		"DOXLS_WORKSPACE="+e.dir,
		"DOXLS_API="+e.apiURL(),
		"DOXLS_CLIENT_ID="+uaatest.DefaultClient.ID,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test lsp.test.mjs: %v\n%s", err, safe(string(out)))
	}
	t.Logf("%s", safe(string(out)))
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
