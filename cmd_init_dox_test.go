package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doxls/doxls/auth/uaatest"
)

// An instance without a "default" client gets an upload for its first
// client (docs/dox-api.md); one with it keeps "default".
func TestInitUploadsForTheInstancesClient(t *testing.T) {
	for _, tc := range []struct {
		clients []uaatest.APIClient
		want    string
	}{
		{[]uaatest.APIClient{{ID: "c_00", Name: "Client 00"}, {ID: "c_01", Name: "Client 01"}}, `"clientId": "c_00"`},
		{[]uaatest.APIClient{{ID: "c_00", Name: "Client 00"}, {ID: "default", Name: "Default client"}}, `"clientId": "default"`},
	} {
		emu, err := uaatest.New(uaatest.Options{APIClients: tc.clients})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(emu.Close)
		dir := t.TempDir()
		writeFile(t, dir, "dox-key.json", emu.KeyJSON(uaatest.DefaultClient))
		if r := runDoxls(t, dir, nil, "init"); r.code != 0 {
			t.Fatalf("doxls init: exit %d, stderr %q", r.code, r.stderr)
		}
		text, _ := os.ReadFile(filepath.Join(dir, "dox.http"))
		if !strings.Contains(string(text), tc.want) {
			t.Errorf("clients %v: the upload's options do not hold %s", tc.clients, tc.want)
		}
	}
}
