package httpfile

import (
	"sort"
	"strings"
)

// A request URL such as https://{{host}}/… whose host comes from an
// environment file goes wherever the environment the client selects says.
// doxls reads those files (Options.Environments) and decides per
// environment: with Options.Environment set (envFile mode: the token lives
// in that environment only) that one, else every environment, and the
// token goes only when each that defines the host sends it to the key's
// hosts. See docs/security.md.

// sharedEnv holds the variables every environment of an
// http-client.env.json file sees (httpyac, JetBrains).
const sharedEnv = "$shared"

// DotenvEnv is the key of Options.Environments that holds a .env file's
// variables: every environment sees them, as {{$dotenv NAME}} (REST
// Client, httpyac) and as {{NAME}} (httpyac), after its own and $shared.
const DotenvEnv = ".env"

// maxEnvDepth bounds environment variables that refer to each other.
const maxEnvDepth = 8

type environments struct {
	vars   map[string]map[string]string
	chosen []string // the environments that decide
}

func newEnvironments(o Options) *environments {
	if len(o.Environments) == 0 {
		return nil
	}
	e := &environments{vars: o.Environments}
	if o.Environment != "" {
		e.chosen = []string{o.Environment}
		return e
	}
	for name := range o.Environments {
		if name != sharedEnv && name != DotenvEnv {
			e.chosen = append(e.chosen, name)
		}
	}
	sort.Strings(e.chosen) // reasons name the same environment every run
	if len(e.chosen) == 0 {
		e.chosen = []string{sharedEnv} // no environment: what every one sees
	}
	return e
}

// lookup is name in environment env, else in $shared, else in .env.
func (e *environments) lookup(env, name string) (string, bool) {
	for _, in := range []string{env, sharedEnv} {
		if v, ok := e.vars[in][name]; ok {
			return v, true
		}
	}
	dotenv := e.vars[DotenvEnv]
	if v, ok := dotenv[strings.TrimPrefix(name, "$dotenv ")]; ok {
		return v, true
	}
	return "", false
}

// check decides r, whose host the file leaves to a variable, per
// environment; decided is false when no environment defines it.
func (e *environments) check(h hostRule, r *Request) (ok bool, reason string, decided bool) {
	for _, env := range e.chosen {
		u, known := e.substitute(env, r.full)
		if !known && u == r.full {
			continue // this environment does not say: the file's own reading decides
		}
		// A value that leaves a reference in the authority is read as the
		// file's own would be: {{$processEnv X}}evil.example is evil.example's.
		var in Request
		in.readTarget(u)
		decided = true
		if ok, why := h.checkRead(&in, fromEnvironment); !ok {
			if env == sharedEnv {
				return false, "with the environment files' variables: " + why, true
			}
			return false, "with environment " + env + ": " + why, true
		}
	}
	return true, "", decided
}

// fromEnvironment shows a host that an environment file's values make:
// not as it is, since the private file holds secrets, and a request file
// could make one of them its host to have it shown (a skipped reason goes
// to the editor, the terminal, a CI log).
func fromEnvironment(string) string { return "from the environment files" }

// substitute resolves the variables of u from environment env; known is
// false when one is left before the end of the authority.
func (e *environments) substitute(env, u string) (string, bool) {
	for range maxEnvDepth {
		var b strings.Builder
		i, changed := 0, false
		for {
			start, end, name, ok := nextRef(u, i)
			if !ok {
				break
			}
			b.WriteString(u[i:start])
			if v, ok := e.lookup(env, name); ok {
				b.WriteString(v)
				changed = true
			} else {
				b.WriteString(u[start:end])
			}
			i = end
		}
		b.WriteString(u[i:])
		if u = b.String(); len(u) > maxResolved {
			return u, false
		}
		if !changed {
			break
		}
	}
	return u, !refBeforeAuthorityEnd(u)
}

// override says why r gets no token when an environment defines, with
// another value, a file variable that r's URL is read with: JetBrains
// takes environment variables over a file's own ("in-place") ones, httpyac
// and REST Client the file's, so they send the request to different hosts.
func (e *environments) override(r *Request) string {
	for _, v := range r.hostVars {
		for _, env := range e.chosen {
			for _, in := range []string{env, sharedEnv} {
				if val, ok := e.vars[in][v.name]; ok && val != v.value {
					// The value is not quoted: it may come from a private file.
					return "{{" + v.name + "}} is defined in this file and, otherwise, in environment " + in + ": JetBrains takes the environment's value, the other clients the file's"
				}
			}
		}
	}
	return ""
}
