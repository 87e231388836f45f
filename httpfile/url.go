package httpfile

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Where a request goes is read as the WHATWG URL standard reads its URL:
// httpyac and REST Client hand the URL to Node's URL parser, JetBrains and
// browsers follow the same standard. A reading of its own would let a URL
// such as http://evil.example\@api.example.com/ name one host to doxls and
// another to the client (a "\" ends the authority of an http(s) URL). See
// docs/security.md.
//
// This is the standard's basic URL parser for an absolute URL, as far as
// it decides the scheme and the host of the special schemes (http, https,
// ws, wss, ftp); the rest of a URL cannot change them. Hosts go through
// the standard's host parser: percent-decoding, UTS #46 (IDNA) through
// golang.org/x/net/idna, the IPv4 forms (0x7f.1, 127.1, 2130706433) and
// IPv6. The differential test in whatwg_test.go holds it to Node's URL.

// target is where a client sends a URL.
type target struct {
	scheme string // lower case, without the colon
	host   string // serialised host, ":port" unless the scheme's default; "" for a scheme without hosts
}

// defaultPorts are the special schemes and their default ports.
var defaultPorts = map[string]uint64{"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

// readURL reads an absolute URL; ok is false when a client cannot send
// it. For a scheme that is not special the host is left empty: such a
// URL never gets the token.
func readURL(u string) (target, bool) {
	if t, ok := fastURL(u); ok {
		return t, true
	}
	return parseURL(u)
}

// parseURL is readURL without the fast path.
func parseURL(u string) (t target, ok bool) {
	u = stripTabs(u)
	i := schemeEnd(u)
	if i < 0 {
		return target{}, false
	}
	t.scheme = strings.ToLower(u[:i])
	def, special := defaultPorts[t.scheme]
	if !special {
		return t, true
	}
	rest := strings.TrimLeft(u[i+1:], "/\\")
	if end := strings.IndexAny(rest, "/\\?#"); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	hostPart, port := splitPort(rest)
	if hostPart == "" {
		return target{}, false
	}
	host, ok := parseHost(hostPart)
	if !ok {
		return target{}, false
	}
	t.host = host
	if port != nil {
		if *port == "" {
			return t, true
		}
		for _, c := range []byte(*port) {
			if c < '0' || c > '9' {
				return target{}, false
			}
		}
		n, err := strconv.ParseUint(*port, 10, 16)
		if err != nil {
			return target{}, false
		}
		if n != def {
			t.host += ":" + strconv.FormatUint(n, 10)
		}
	}
	return t, true
}

// splitPort splits an authority's host and port at the first colon
// outside brackets; port is nil without one.
func splitPort(s string) (host string, port *string) {
	inside := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			inside = true
		case ']':
			inside = false
		case ':':
			if !inside {
				p := s[i+1:]
				return s[:i], &p
			}
		}
	}
	return s, nil
}

// idnaProfile is UTS #46 ToASCII as the standard calls it ("domain to
// ASCII" with beStrict false): no STD3 rules, no hyphen checks, no DNS
// length limits, nontransitional.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.CheckJoiners(true),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
	idna.VerifyDNSLength(false),
	idna.Transitional(false),
)

// parseHost is the standard's host parser for a special scheme.
func parseHost(in string) (string, bool) {
	if strings.HasPrefix(in, "[") {
		if !strings.HasSuffix(in, "]") {
			return "", false
		}
		return parseIPv6(in[1 : len(in)-1])
	}
	domain := percentDecode(in)
	if !utf8.ValidString(domain) {
		domain = strings.ToValidUTF8(domain, "\uFFFD")
	}
	ascii, err := idnaProfile.ToASCII(domain)
	if err != nil || ascii == "" {
		return "", false
	}
	for _, c := range []byte(ascii) {
		if c <= ' ' || c == 0x7f || strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0 {
			return "", false
		}
	}
	if endsInNumber(ascii) {
		return parseIPv4(ascii)
	}
	return ascii, true
}

// percentDecode decodes %XX sequences; others stay as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// endsInNumber is the standard's "ends in a number": the last label
// (a trailing dot aside) is digits or an IPv4 number such as 0x7f.
func endsInNumber(s string) bool {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// ipv4Number parses one part of an IPv4 form: decimal, 0x hex or 0 octal.
func ipv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	for _, c := range []byte(s) {
		ok := base == 16 && isHex(c) || base == 10 && '0' <= c && c <= '9' || base == 8 && '0' <= c && c <= '7'
		if !ok {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return math.MaxUint64, true // too large: still a number, and too large for an address
	}
	return n, true
}

// parseIPv4 is the standard's IPv4 parser, serialising the address.
func parseIPv4(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", false
	}
	addr := last
	for i, n := range nums[:len(nums)-1] {
		addr += n << (8 * (3 - i))
	}
	return fmt.Sprintf("%d.%d.%d.%d", addr>>24, addr>>16&0xff, addr>>8&0xff, addr&0xff), true
}

// parseIPv6 parses the text between brackets and serialises it as the
// standard does: lower-case hex, the first longest run of two or more zero
// pieces compressed, no dotted IPv4 tail.
func parseIPv6(s string) (string, bool) {
	if strings.ContainsAny(s, "%") {
		return "", false // zones are not part of URLs
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return "", false
	}
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, length := -1, 1
	for i := 0; i < 8; {
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		if j == i {
			j++
		}
		i = j
	}
	var out strings.Builder
	out.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == start {
			if i == 0 {
				out.WriteByte(':')
			}
			out.WriteByte(':')
			i += length - 1
			continue
		}
		out.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
		if i < 7 {
			out.WriteByte(':')
		}
	}
	out.WriteByte(']')
	return out.String(), true
}

// fastURL reads "http(s)://host[:port]" followed by "/", "?", "#" or the
// end, where host is letters, digits, "-" and "." and does not end in a
// number (an IPv4 form) or hold a punycode label: for such a URL the
// standard's answer is the host lower-cased and the default port dropped.
// ok is false for anything else, which the full parser reads.
func fastURL(u string) (target, bool) {
	var t target
	switch {
	case len(u) > 8 && strings.EqualFold(u[:8], "https://"):
		t.scheme, u = "https", u[8:]
	case len(u) > 7 && strings.EqualFold(u[:7], "http://"):
		t.scheme, u = "http", u[7:]
	default:
		return t, false
	}
	end := 0
	for end < len(u) && u[end] != '/' && u[end] != '?' && u[end] != '#' {
		end++
	}
	auth := u[:end]
	host, port := auth, ""
	if i := strings.IndexByte(auth, ':'); i >= 0 {
		host, port = auth[:i], auth[i+1:]
	}
	if host == "" || !plainHost(host) {
		return t, false
	}
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return t, false
		}
		switch {
		case t.scheme == "https" && n == 443 || t.scheme == "http" && n == 80:
			port = ""
		case port[0] == '0':
			port = strconv.FormatUint(n, 10)
		}
	}
	t.host = strings.ToLower(host)
	switch {
	case port == "":
	case t.host == host && len(auth) == len(host)+1+len(port):
		t.host = auth // already as the standard writes it: no copy
	default:
		t.host += ":" + port
	}
	return t, true
}

// plainHost reports a host of letters, digits, "-" and "." that the
// standard takes as it is (but for case): no IPv4 form (its last label a
// number such as 1 or 0x7f) and no "xn--" label, which punycode decides.
// One pass: it runs for every request of a file.
func plainHost(h string) bool {
	start, last := 0, ""
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			c := h[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
			continue
		}
		label := h[start:i]
		if len(label) >= 4 && label[0]|0x20 == 'x' && label[1]|0x20 == 'n' && label[2] == '-' && label[3] == '-' {
			return false
		}
		if label != "" || i < len(h) {
			last = label // a trailing dot leaves the label before it last
		}
		start = i + 1
	}
	if last == "" || len(last) >= 2 && last[0] == '0' && last[1]|0x20 == 'x' {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return true
		}
	}
	return false // all digits
}

// plainURL reports a URL whose scheme and authority are written so that
// every client reads them alike: "http://" or "https://", then a host of
// letters, digits, "-" and "." (an IPv4 address only as four decimal
// numbers), or an IPv6 address in brackets, then an optional ":port" of
// digits, then "/", "?", "#" or the end. REST Client does not read URLs by
// the WHATWG standard (got 9 parses them with Node's legacy url.parse,
// after putting https:// in front of one without a scheme), JetBrains has
// a Java parser of its own: where they could disagree with httpyac on the
// host (a tab in the scheme, user info, escapes, IPv4 forms, IDNA), no
// token goes (docs/security.md).
func plainURL(u string) bool {
	switch {
	case len(u) > 8 && strings.EqualFold(u[:8], "https://"):
		u = u[8:]
	case len(u) > 7 && strings.EqualFold(u[:7], "http://"):
		u = u[7:]
	default:
		return false
	}
	end := 0
	for end < len(u) && u[end] != '/' && u[end] != '?' && u[end] != '#' {
		end++
	}
	host, port := u[:end], ""
	if strings.HasPrefix(host, "[") {
		i := strings.IndexByte(host, ']')
		if i < 0 || strings.Trim(host[1:i], "0123456789abcdefABCDEF:.") != "" {
			return false
		}
		host, port = host[:i+1], host[i+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		host, port = host[:i], host[i+1:]
		if !plainHost(host) && !dottedQuad(host) {
			return false
		}
	} else if !plainHost(host) && !dottedQuad(host) {
		return false
	}
	return strings.Trim(port, "0123456789") == "" // "host:" is the default port to all
}

// dottedQuad reports an IPv4 address written as four decimal numbers
// 0–255 without leading zeros, which every client reads alike.
func dottedQuad(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != p {
			return false
		}
	}
	return true
}

// isLoopback reports a host (as readURL serialises it) on this machine:
// 127.0.0.0/8, [::1] and localhost.
func isLoopback(host string) bool {
	if strings.HasPrefix(host, "[") {
		return host == "[::1]" || strings.HasPrefix(host, "[::1]:")
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host == "localhost" || strings.HasPrefix(host, "127.") && strings.Count(host, ".") == 3 && strings.Trim(host, "0123456789.") == ""
}
