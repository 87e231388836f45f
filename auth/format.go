package auth

import (
	"fmt"
	"strings"
)

// Format prints the UAA object with ClientSecret and Key hidden, for every
// verb and flag, so a stray %v, %+v or %#v in a log line cannot leak them.
func (u UAA) Format(f fmt.State, verb rune) {
	type uaa UAA // same fields, no Format method
	r := uaa(u)
	if r.ClientSecret != "" {
		r.ClientSecret = "[hidden]"
	}
	if r.Key != "" {
		r.Key = "[hidden]"
	}
	printPlain(f, verb, r, "auth.uaa", "auth.UAA")
}

// Format prints the key with its uaa object's secrets hidden (UAA.Format
// handles the nested value).
func (k ServiceKey) Format(f fmt.State, verb rune) {
	type serviceKey ServiceKey
	printPlain(f, verb, serviceKey(k), "auth.serviceKey", "auth.ServiceKey")
}

// printPlain prints v as fmt would without the Format method; %#v names
// the local method-less type, which is renamed back to the real one.
func printPlain(f fmt.State, verb rune, v any, local, real string) {
	s := fmt.Sprintf(fmt.FormatString(f, verb), v)
	if verb == 'v' && f.Flag('#') {
		s = strings.Replace(s, local, real, 1)
	}
	fmt.Fprint(f, s)
}
