package auth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"
)

// CFPrefix starts a key reference that is read from Cloud Foundry with the
// user's own cf CLI: cf:INSTANCE/KEY (docs/lifecycle.md).
const CFPrefix = "cf:"

// cfTimeout bounds one run of cf; it talks to the platform, which is slow
// but not that slow.
const cfTimeout = time.Minute

// CFRef names a service key of a service instance in the current cf target.
type CFRef struct{ Instance, Key string }

// ID is the key's id: cf:INSTANCE/KEY.
func (r CFRef) ID() string { return CFPrefix + r.Instance + "/" + r.Key }

// IsCFRef reports whether s names a key in Cloud Foundry rather than a file.
func IsCFRef(s string) bool { return strings.HasPrefix(s, CFPrefix) }

// ParseCFRef reads cf:INSTANCE/KEY. A name that cf would take for a flag,
// or that holds control characters, is refused.
func ParseCFRef(s string) (CFRef, error) {
	instance, key, ok := strings.Cut(strings.TrimPrefix(s, CFPrefix), "/")
	ref := CFRef{strings.TrimSpace(instance), strings.TrimSpace(key)}
	bad := func(name string) bool {
		return name == "" || strings.HasPrefix(name, "-") || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f })
	}
	if !IsCFRef(s) || !ok || bad(ref.Instance) || bad(ref.Key) {
		return CFRef{}, &KeyError{Name: s, Problem: "is not a Cloud Foundry key: write cf:INSTANCE/KEY (see cf services and cf service-keys INSTANCE)"}
	}
	return ref, nil
}

// LoadCFKey runs cf service-key INSTANCE KEY and parses its output (any of
// cf v6, v7 and v8). The key stays in memory: it is never written to disk.
// Errors are one line naming the key and what cf said.
func LoadCFKey(ctx context.Context, ref string) (*ServiceKey, error) {
	r, err := ParseCFRef(ref)
	if err != nil {
		return nil, err
	}
	out, err := runCF(ctx, r.ID(), "service-key", r.Instance, r.Key)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(out, []byte("{")) {
		// cf v6 says "No service key … found" and exits 0.
		return nil, cfError(r.ID(), out, nil)
	}
	k, err := ParseKey(r.ID(), out)
	if err != nil {
		return nil, err
	}
	k.ID = r.ID()
	return k, nil
}

// CFServiceKeys lists the keys of the DOX service instances in the current
// cf target (cf services, then cf service-keys for each DOX instance).
func CFServiceKeys(ctx context.Context) ([]CFRef, error) {
	out, err := runCF(ctx, "cf services", "services")
	if err != nil {
		return nil, err
	}
	var refs []CFRef
	for _, row := range cfTable(out, "offering", "service") {
		if len(row) < 2 || !strings.Contains(row[1], "document-information-extraction") {
			continue
		}
		keys, err := runCF(ctx, "cf service-keys "+row[0], "service-keys", row[0])
		if err != nil {
			return nil, err
		}
		for _, k := range cfTable(keys, "last operation") {
			refs = append(refs, CFRef{row[0], k[0]})
		}
	}
	return refs, nil
}

// runCF runs cf with args; what names the run in errors. Colours and
// tracing are off: a trace (CF_TRACE) would print the key's credentials
// among lines doxls might quote.
func runCF(ctx context.Context, what string, args ...string) ([]byte, error) {
	path, err := exec.LookPath("cf")
	if err != nil {
		return nil, &KeyError{Name: what, Problem: "the cf CLI is not on PATH; install it (https://github.com/cloudfoundry/cli) and run cf login, or save the service key as a file"}
	}
	ctx, cancel := context.WithTimeout(ctx, cfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "CF_COLOR=false", "CF_TRACE=false")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, &KeyError{Name: what, Problem: "cf did not answer within " + cfTimeout.String()}
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, cfError(what, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// cfError is one line with what cf said: the first line of its output that
// is not its banner ("Getting key …"), FAILED or blank. Only text before the
// first '{' is read, so no credential can end up in the message.
func cfError(what string, stdout, stderr []byte) error {
	said := ""
	for _, out := range [][]byte{stderr, stdout} {
		if i := bytes.IndexByte(out, '{'); i >= 0 {
			out = out[:i]
		}
		for _, line := range strings.Split(string(out), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line == "FAILED" || line == "OK" || strings.HasPrefix(line, "Getting ") || !utf8.ValidString(line) {
				continue
			}
			said = line
			break
		}
		if said != "" {
			break
		}
	}
	if said == "" {
		said = "it failed without saying why"
	}
	problem := "cf says: " + oneLine(said)
	switch {
	case strings.Contains(said, "Not logged in"):
		problem += " (run cf login, then try again)"
	case strings.Contains(said, "not found") || strings.Contains(said, "No service key"):
		problem += " (see cf services and cf service-keys INSTANCE for the names in the current target)"
	}
	return &KeyError{Name: what, Problem: problem}
}

// cfTable reads the rows of the table cf prints after its banner: the line
// starting with "name" is the header, whose column titles give the column
// positions (cells may hold spaces, and some are empty). Each row holds its
// first column, then the first word of the column titled one of cols.
func cfTable(out []byte, cols ...string) [][]string {
	lines := strings.Split(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "name ") && strings.TrimSpace(line) != "name" {
			continue
		}
		second := -1 // rune index where the wanted column starts
		end := -1    // where the first column ends; -1: it is the only one
		for _, c := range cols {
			if at := strings.Index(line, "   "+c); at >= 0 {
				at = utf8.RuneCountInString(line[:at+3])
				if second < 0 || at < second {
					second = at
				}
			}
		}
		if second >= 0 {
			end = second
		}
		var rows [][]string
		for _, l := range lines[i+1:] {
			r := []rune(strings.TrimRight(l, " \t"))
			if len(r) == 0 {
				break
			}
			name := string(r)
			if end >= 0 {
				name = string(r[:min(end, len(r))])
			}
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			row := []string{name}
			if second >= 0 && second < len(r) {
				if f := strings.Fields(string(r[second:])); len(f) > 0 {
					row = append(row, f[0])
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	return nil
}
