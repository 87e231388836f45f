// Package cftest is a stand-in for the cf CLI in tests: a script named cf
// in a temporary folder that tests put first on PATH. It answers each
// command line with output shaped like what cf v6, v7 and v8 print, so no
// test contacts a real platform.
//
// The shapes follow the cf CLI sources (github.com/cloudfoundry/cli):
// v6 cf/commands/servicekey/service_key.go ("Getting key … as …", a blank
// line, the credentials indented by one space) and cf/commands/service
// (services table with a "service" column); v7/v8 command/v7/
// service_key_command.go (banner, blank line, then DisplayJSON: v7 the
// credentials, v8 {"credentials": …}), services_command.go (columns name,
// offering, plan, bound apps, last operation, broker, upgrade available) and
// service_keys_command.go (name, last operation, message); errors from
// command/translatableerror (NotLoggedInError, ServiceInstanceNotFoundError)
// and actor/actionerror (ServiceKeyNotFoundError): the message on stderr and
// FAILED on stdout, exit status 1.
package cftest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// User is the user cf says it runs as.
const User = "dev@example.com"

// Fake is a cf stand-in.
type Fake struct {
	t       testing.TB
	Dir     string // holds the cf script: put it first on PATH
	answers string
}

// New writes the stand-in. It skips the test on Windows, where a shell
// script cannot stand in for cf.exe.
func New(t testing.TB) *Fake {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the cf stand-in is a shell script")
	}
	dir := t.TempDir()
	f := &Fake{t: t, Dir: dir, answers: filepath.Join(dir, "answers")}
	if err := os.Mkdir(f.answers, 0o700); err != nil {
		t.Fatal(err)
	}
	// Each run appends its arguments to calls, then prints the answer
	// files named after its arguments (spaces as _), or fails like cf
	// does for an unknown command.
	script := `#!/bin/sh
d="$(dirname "$0")/answers"
echo "$*" >> "$d/../calls"
f="$d/$(echo "$*" | tr ' /' '_#')"
if [ ! -f "$f.out" ] && [ ! -f "$f.err" ]; then
  echo "'$1' is not a registered command. See 'cf help -a'" >&2
  echo "FAILED"
  exit 1
fi
[ -f "$f.out" ] && cat "$f.out"
[ -f "$f.err" ] && cat "$f.err" >&2
[ -f "$f.code" ] && exit "$(cat "$f.code")"
exit 0
`
	if err := os.WriteFile(filepath.Join(dir, "cf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// Env is the PATH setting that puts the stand-in first.
func (f *Fake) Env() string {
	return "PATH=" + f.Dir + string(os.PathListSeparator) + os.Getenv("PATH")
}

// Answer makes "cf args…" print stdout and stderr and exit with code.
func (f *Fake) Answer(args string, stdout, stderr string, code int) {
	f.t.Helper()
	base := filepath.Join(f.answers, strings.NewReplacer(" ", "_", "/", "#").Replace(args))
	write := func(ext, s string) {
		if err := os.WriteFile(base+ext, []byte(s), 0o600); err != nil {
			f.t.Fatal(err)
		}
	}
	write(".out", stdout)
	write(".err", stderr)
	if code != 0 {
		write(".code", string(rune('0'+code)))
	} else {
		_ = os.Remove(base + ".code")
	}
}

// ServiceKey makes "cf service-key INSTANCE KEY" print key (the cockpit
// JSON of the key) the way cf major version v (6, 7 or 8) does.
func (f *Fake) ServiceKey(v int, instance, key string, keyJSON []byte) {
	f.t.Helper()
	var creds any
	if err := json.Unmarshal(keyJSON, &creds); err != nil {
		f.t.Fatal(err)
	}
	var body []byte
	var err error
	switch v {
	case 6:
		body, err = json.MarshalIndent(creds, "", " ")
	case 7:
		body, err = json.MarshalIndent(creds, "", "  ")
	default:
		body, err = json.MarshalIndent(map[string]any{"credentials": creds}, "", "  ")
	}
	if err != nil {
		f.t.Fatal(err)
	}
	banner := "Getting key " + key + " for service instance " + instance + " as " + User + "...\n\n"
	f.Answer("service-key "+instance+" "+key, banner+string(body)+"\n", "", 0)
}

// NotLoggedIn makes every command below fail as cf v8 does without a login.
func (f *Fake) NotLoggedIn(args string) {
	f.Answer(args, "FAILED\n", "Not logged in. Use 'cf login' or 'cf login --sso' to log in.\n", 1)
}

// NoInstance makes "cf service-key INSTANCE KEY" fail as cf v8 does for an
// instance that does not exist in the target space.
func (f *Fake) NoInstance(instance, key string) {
	f.Answer("service-key "+instance+" "+key,
		"Getting key "+key+" for service instance "+instance+" as "+User+"...\nFAILED\n",
		"Service instance "+instance+" not found\n", 1)
}

// NoKey makes "cf service-key INSTANCE KEY" fail as cf v8 does for a key
// the instance does not have; v6 printed the same line and exited 0.
func (f *Fake) NoKey(v int, instance, key string) {
	banner := "Getting key " + key + " for service instance " + instance + " as " + User + "...\n"
	if v == 6 {
		f.Answer("service-key "+instance+" "+key, banner+"No service key "+key+" found for service instance "+instance+"\n", "", 0)
		return
	}
	f.Answer("service-key "+instance+" "+key, banner+"FAILED\n", "No service key "+key+" found for service instance "+instance+"\n", 1)
}

// Instance is a row of cf services.
type Instance struct{ Name, Offering, Plan string }

// Services makes "cf services" list instances the way cf version v does.
func (f *Fake) Services(v int, instances ...Instance) {
	var b bytes.Buffer
	if v == 6 {
		b.WriteString("Getting services in org my-org / space dev as " + User + "...\n\n")
		rows := [][]string{{"name", "service", "plan", "bound apps", "last operation", "broker", "upgrade available"}}
		for _, in := range instances {
			rows = append(rows, []string{in.Name, in.Offering, in.Plan, "", "create succeeded", "sm-" + in.Offering, ""})
		}
		table(&b, rows)
	} else {
		b.WriteString("Getting service instances in org my-org / space dev as " + User + "...\n\n")
		rows := [][]string{{"name", "offering", "plan", "bound apps", "last operation", "broker", "upgrade available"}}
		for _, in := range instances {
			rows = append(rows, []string{in.Name, in.Offering, in.Plan, "", "create succeeded", "sm-" + in.Offering, "no"})
		}
		table(&b, rows)
	}
	f.Answer("services", b.String(), "", 0)
}

// ServiceKeys makes "cf service-keys INSTANCE" list keys as cf version v does.
func (f *Fake) ServiceKeys(v int, instance string, keys ...string) {
	var b bytes.Buffer
	b.WriteString("Getting keys for service instance " + instance + " as " + User + "...\n\n")
	rows := [][]string{{"name"}}
	if v != 6 {
		rows = [][]string{{"name", "last operation", "message"}}
	}
	for _, k := range keys {
		if v == 6 {
			rows = append(rows, []string{k})
		} else {
			rows = append(rows, []string{k, "create succeeded", ""})
		}
	}
	table(&b, rows)
	f.Answer("service-keys "+instance, b.String(), "", 0)
}

// table pads columns as cf's DisplayTableWithHeader does: each cell to the
// widest of its column plus three spaces, trailing spaces trimmed.
func table(b *bytes.Buffer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-len(c)+3))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// Calls lists the command lines cf was run with, in order.
func (f *Fake) Calls() []string {
	data, err := os.ReadFile(filepath.Join(f.Dir, "calls"))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
