package commands

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The clients carry the server's defaults (VS Code shows them in its
// settings UI, the Neovim plugin sends them); they, and the table in
// docs/protocol.md, must say what SettingsTable says, and Neovim's help
// must describe every setting.
func TestSettingsDefaultsMatchClients(t *testing.T) {
	var pkg struct {
		Contributes struct {
			Configuration struct {
				Properties map[string]struct {
					Default any `json:"default"`
				} `json:"properties"`
			} `json:"configuration"`
		} `json:"contributes"`
	}
	readJSON(t, "../editors/code/package.json", &pkg)
	lua := luaDefaults(t, "../editors/nvim/lua/doxls/config.lua")
	docs := docDefaults(t, "../docs/protocol.md", "")
	codeDocs := docDefaults(t, "../editors/code/README.md", "dox.")
	for _, st := range SettingsTable {
		prop, ok := pkg.Contributes.Configuration.Properties["dox."+st.Name]
		want := st.Default
		if want == nil {
			want = "" // VS Code's "unset" for a string setting
		}
		if !ok {
			t.Errorf("editors/code/package.json has no setting dox.%s", st.Name)
		} else if !reflect.DeepEqual(prop.Default, want) {
			t.Errorf("editors/code/package.json: dox.%s defaults to %#v, the server to %#v", st.Name, prop.Default, want)
		}
		if got, ok := lua[st.Name]; st.Default != nil && !ok {
			t.Errorf("editors/nvim/lua/doxls/config.lua has no default for %s", st.Name)
		} else if !reflect.DeepEqual(got, st.Default) {
			t.Errorf("editors/nvim/lua/doxls/config.lua: %s defaults to %#v, the server to %#v", st.Name, got, st.Default)
		}
		if got, ok := docs[st.Name]; !ok {
			t.Errorf("docs/protocol.md's settings table has no row for %s", st.Name)
		} else if w := docDefault(st.Default, "(discover)"); got != w {
			t.Errorf("docs/protocol.md: %s defaults to %s, the server to %s", st.Name, got, w)
		}
		if got, ok := codeDocs[st.Name]; !ok {
			t.Errorf("editors/code/README.md's settings table has no row for dox.%s", st.Name)
		} else if w := docDefault(st.Default, "`\"\"`"); got != w {
			t.Errorf("editors/code/README.md: dox.%s defaults to %s, the server to %s", st.Name, got, w)
		}
	}
	known := map[string]bool{"dox.server.path": true, "dox.trace.server": true} // the extension's own
	for _, st := range SettingsTable {
		known["dox."+st.Name] = true
	}
	for name := range pkg.Contributes.Configuration.Properties {
		if !known[name] {
			t.Errorf("editors/code/package.json has %s, which the server does not read", name)
		}
	}
	help, err := os.ReadFile("../editors/nvim/doc/doxls.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range SettingsTable {
		if !regexp.MustCompile(`(?m)^` + st.Name + ` +`).Match(help) {
			t.Errorf("editors/nvim/doc/doxls.txt does not describe the setting %s", st.Name)
		}
	}
	if len(lua) != len(SettingsTable)-1 { // serviceKey has no default
		t.Errorf("editors/nvim/lua/doxls/config.lua has %d defaults, the server %d settings with one", len(lua), len(SettingsTable)-1)
	}
}

func TestDefaultSettingsFromTable(t *testing.T) {
	s := DefaultSettings()
	if s.RefreshMargin.Seconds() != 300 || !s.AutoRefresh || s.InsertMode != "header" || s.VariableName != "doxToken" ||
		s.EnvName != "dev" || s.EnvFormat != "json" || s.ExtraHosts != nil || s.Timeout.Seconds() != 10 || s.CertificateWarning.Hours() != 48 {
		t.Errorf("DefaultSettings() = %+v", s)
	}
	s.ExtraHosts = append(s.ExtraHosts, "x")
	if DefaultSettings().ExtraHosts != nil {
		t.Error("DefaultSettings shares its slices between callers")
	}
}

func TestParseModeAndFormat(t *testing.T) {
	for _, m := range []string{"header", "variable", "envFile"} {
		if got, err := ParseMode(m); err != nil || string(got) != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := ParseMode("envfile"); err == nil || err.Error() != `must be header, variable or envFile, not "envfile"` {
		t.Errorf("ParseMode(envfile) = %v", err)
	}
	if _, err := ParseEnvFormat("yaml"); err == nil || err.Error() != `must be json or dotenv, not "yaml"` {
		t.Errorf("ParseEnvFormat(yaml) = %v", err)
	}
	if _, err := ParseSettings(json.RawMessage(`{"certificateWarningDays":-1}`)); err == nil || !strings.Contains(err.Error(), "certificateWarningDays") {
		t.Errorf("a negative certificateWarningDays: %v", err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// luaDefaults reads the `name = value,` lines between "-- settings:begin"
// and "-- settings:end", with Lua's literals turned into JSON's.
func luaDefaults(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok1 := strings.Cut(string(b), "-- settings:begin\n")
	block, _, ok2 := strings.Cut(rest, "-- settings:end")
	if !ok1 || !ok2 {
		t.Fatalf("%s has no settings:begin/end block", path)
	}
	line := regexp.MustCompile(`^\s+(\w+) = (.+),$`)
	out := map[string]any{}
	for _, l := range strings.Split(block, "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		lit := m[2]
		if lit == "{}" {
			lit = "[]"
		}
		var v any
		if err := json.Unmarshal([]byte(lit), &v); err != nil {
			t.Fatalf("%s: %s = %s is not a literal this test reads", path, m[1], m[2])
		}
		out[m[1]] = v
	}
	return out
}

// docDefaults reads the settings table of a Markdown page: rows
// "| `PREFIXname` | `default` | meaning |".
func docDefaults(t *testing.T, path, prefix string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(prefix) + "(\\w+)` \\| ([^|]+) \\|")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = strings.TrimSpace(m[2])
	}
	return out
}

// docDefault is how the pages write a default; unset is how they write
// that of serviceKey.
func docDefault(v any, unset string) string {
	switch v := v.(type) {
	case nil:
		return unset
	case string:
		return "`" + v + "`"
	default:
		b, _ := json.Marshal(v)
		return "`" + string(b) + "`"
	}
}
