package server

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"testing"

	"github.com/doxls/doxls/commands"
)

// The VS Code extension types every call through editors/code/src/protocol.ts:
// its command map must name every command the server lists, and besides
// those only the ones it runs unlisted (commands.go's unlisted).
func TestProtocolModuleNamesEveryCommand(t *testing.T) {
	b, err := os.ReadFile("../editors/code/src/protocol.ts")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^\s+'(doxls\.\w+)': \[`).FindAllStringSubmatch(string(b), -1) {
		got = append(got, m[1])
	}
	sort.Strings(got)
	want := append(executeCommands(), commands.CFServiceKeys)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("editors/code/src/protocol.ts types the commands %v, the server runs %v", got, want)
	}
}
