package httpfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/doxls/doxls/internal/testbin"
)

// The differential test: the host doxls reads from a request line must be
// the host Node's URL parser (what httpyac and REST Client send with)
// reads, for URLs built from the parts attackers and typos produce.

var (
	urlSchemes = []string{"https://", "http://", "HTTPS://", "HtTp://", "https:", "https:\\\\", "http:/\\", "https:///",
		"ht\ttps://", "ws://", "wss://", "ftp://", "file://", "", "localhost:", "//"}
	urlUserinfo = []string{"", "user@", "user:pa$$w0rd!@", "evil.example\\@", "evil.example/@", "a@b@", "%40@", "u:p%40x@",
		"@", ":@", "evil.example?@", "evil.example#@", "evil.example\t@", "u\n@"}
	urlHosts = []string{"api.example.com", "API.Example.COM", "api.example.com.", "api-1.example.com", "a..b", ".",
		"0x7f.1", "0X7F.0.0.1", "127.1", "127.0.0.1", "127.000.000.001", "2130706433", "0177.0.0.1", "127.0.0.256",
		"1.2.3.4.5", "foo.09", "foo.0x", "foo.1", "1.2.3.4.", "0x", "09", "4294967296", "1e1",
		"[::1]", "[::ffff:127.0.0.1]", "[0:0::1]", "[::1", "[::1]x", "[fe80::1%25eth0]", "[1:2:3:4:5:6:7:8]", "[::ffff:1.2.3.4.5]",
		"bücher.de", "BÜCHER.de", "xn--bcher-kva.de", "xn--a.com", "XN--BCHER-KVA.de", "faß.de", "ＡＰＩ．example．com",
		"api。example。com", "a\u200db.com", "a%2eb.com", "%61pi.example.com", "ex%00.com", "ex%zz.com", "%ff.com",
		"a b.com", "a\tb.com", "a\nb.com", "a\rb.com", "api.example.com\\.evil", "a_b.com", "a*b.com", "a{b}.com",
		"", "localhost", "LOCALHOST", "localhost.", "0", "a|b", "a^b", "a<b", "a'b", "a\"b", "\u00a0a.com", "a\u007f.com",
		"xn--", "xn--ls8h.la", "ⓐpi.example.com", "ℌ.com", "İ.com", "a\u00adb.com", "\u0661.com", "a.\u0661", "⒈.com",
		"0.0.0.0", "255.255.255.255", "256.1", "0x100000000", "4294967295", "1.0x", "1.0x1", "0x7f.0x0.0x0.0x1",
		"[::]", "[1::]", "[::1:2:3:4:5:6:7]", "[1:2:3:4:5:6:7:8:9]", "[::127.0.0.1]", "[0::01.2.3.4]", "[FFFF::]",
		"[1:0:0:2:0:0:0:3]", "[1:0:0:2:0:0:3:4]", "[1:0:2:3:4:5:6:7]", "[::1]]", "[[::1]]", "[:1]",
		"\u05d0a.com", "a\u05d0.com", "\u05d0\u0661\u06f1.com", "\u0915\u094d\u200d.com", "a\u0300.com", "\u0300a.com",
		"-a.com", "a-.com", "ab--c.com", "xn--zca.com", "xn--ZCA.com", "a.b.c.d.e", "%30x7f.1", "%5b::1%5d",
		"bücher_x.de", "a_b.bücher.de", "xn--bcher-kva.de;x"}
	urlPorts = []string{"", ":", ":443", ":0443", ":80", ":8443", ":65535", ":65536", ":-1", ":1a", ":00000000000000000080", ":+1", ": 1"}
	urlTails = []string{"", "/", "/document-information-extraction/v1/document/jobs?clientId=default#x", "\\path", "?q=1", "#f",
		"\t/x", "@x/y", "/a@b", " /x", "\n/x", "%2F", ";x"}
)

// genURLs returns n URLs: every part list walked once against a plain
// URL, then random combinations (fixed seed: the same inputs every run).
func genURLs(n int) []string {
	base := []string{"https://", "", "api.example.com", "", "/document-information-extraction/v1/"}
	lists := [][]string{urlSchemes, urlUserinfo, urlHosts, urlPorts, urlTails}
	var out []string
	for i, list := range lists {
		for _, v := range list {
			parts := append([]string(nil), base...)
			parts[i] = v
			out = append(out, strings.Join(parts, ""))
		}
	}
	// Every host with every port, over both schemes: the URLs that may get
	// the token are among these.
	for _, h := range urlHosts {
		for i, p := range urlPorts {
			out = append(out, urlSchemes[i%2]+h+p+"/document-information-extraction/v1/")
		}
	}
	r := rand.New(rand.NewPCG(12, 15))
	for len(out) < n {
		var b strings.Builder
		for _, list := range lists {
			b.WriteString(list[r.IntN(len(list))])
		}
		out = append(out, b.String())
	}
	return out
}

type nodeURL struct {
	OK     bool       `json:"ok"`
	Scheme string     `json:"scheme"`
	Host   string     `json:"host"`
	Rest   *legacyURL `json:"rest,omitempty"`
}

// legacyURL is REST Client's reading (Node's legacy url.parse).
type legacyURL struct {
	Scheme   string `json:"scheme"`
	Hostname string `json:"hostname"`
	Port     string `json:"port"`
}

// sameAs reports whether REST Client's reading names t: the same scheme,
// host and port (its port as digits, the default one left out; an IPv6
// address compared as an address).
func (l *legacyURL) sameAs(t target) bool {
	if l == nil || l.Scheme != t.scheme {
		return false
	}
	host := strings.ToLower(l.Hostname)
	if strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		if err != nil {
			return false
		}
		host = "[" + a.String() + "]"
	}
	if l.Port != "" {
		n, err := strconv.Atoi(l.Port)
		if err != nil {
			return false
		}
		if uint64(n) != defaultPorts[t.scheme] {
			host += ":" + strconv.Itoa(n)
		}
	}
	want := t.host
	if strings.HasPrefix(want, "[") {
		end := strings.IndexByte(want, ']')
		a, err := netip.ParseAddr(want[1:end])
		if err != nil {
			return false
		}
		want = "[" + a.String() + "]" + want[end+1:]
	}
	return host == want
}

// nodeReads runs every URL through Node's URL in one node process.
func nodeReads(t *testing.T, urls []string) []nodeURL {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testbin.Missing(t, "node", err)
	}
	in, err := json.Marshal(urls)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("..", "test", "node", "url-hosts.mjs"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node url-hosts.mjs: %v\n%s", err, stderr.String())
	}
	var res []nodeURL
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(urls) {
		t.Fatalf("node url-hosts.mjs answered %d results for %d URLs (%v)", len(res), len(urls), err)
	}
	return res
}

func (n nodeURL) String() string {
	if !n.OK {
		return "invalid"
	}
	return n.Scheme + " " + n.Host
}

func ourRead(u string) nodeURL {
	t, ok := readURL(u)
	return nodeURL{OK: ok, Scheme: t.scheme, Host: t.host}
}

// agree compares a reading with Node's. For a scheme without default
// port (file:, mailto:, "localhost:" in localhost:8080/x) doxls reads no
// host, as such a URL never gets the token: only the scheme must match.
//
// Hosts with right-to-left characters are the one known difference: Node's
// URL (ada) checks the standard's Bidi rule (RFC 5893) only in part and
// reads https://١.com/ as xn--9hb.com, which the rule refuses. doxls
// follows the standard, so it refuses such a host, and the token never
// goes there: where doxls reads a host, Node must read the same one.
func agree(u string, ours, node nodeURL) bool {
	if !ours.OK && node.OK && hasRTL(u) {
		return true
	}
	if _, special := defaultPorts[ours.Scheme]; ours.OK && !special {
		return !node.OK || node.Scheme == ours.Scheme
	}
	return ours.OK == node.OK && ours.Scheme == node.Scheme && ours.Host == node.Host
}

// TestHostsAgreeWithNode compares readURL with Node's URL on every
// generated URL, and the host of request lines that carry the same URL
// written directly, through file variables (the authority, the whole
// URL) and split by a tab, with what Node reads from the substituted URL.
func TestHostsAgreeWithNode(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 3000
	}
	urls := genURLs(n)
	node := nodeReads(t, urls)
	fails := 0
	plain := 0
	for i, u := range urls {
		if got := ourRead(u); !agree(u, got, node[i]) {
			fails++
			if fails <= 30 {
				t.Errorf("%q: doxls reads %s, Node %s", u, got, node[i])
			}
		}
		// A URL that may get the token must read the same in REST Client.
		if t0, ok := readURL(u); ok && plainURL(u) {
			plain++
			if !node[i].Rest.sameAs(t0) {
				fails++
				if fails <= 30 {
					t.Errorf("%q: doxls reads %s %s, REST Client %+v", u, t0.scheme, t0.host, node[i].Rest)
				}
			}
		}
	}
	// Request lines: only URLs a single line can hold.
	checked := 0
	for i, u := range urls {
		if strings.ContainsAny(u, "\r\n") || strings.TrimSpace(u) != u || strings.Contains(u, "{{") {
			continue
		}
		want := node[i]
		for _, doc := range requestForms(u) {
			r := Parse([]byte(doc)).Requests
			if len(r) != 1 {
				t.Fatalf("%q: %d requests", doc, len(r))
			}
			got := nodeURL{OK: r[0].Scheme != "", Scheme: r[0].Scheme, Host: r[0].Host}
			if !want.OK {
				want = nodeURL{}
			}
			want.Rest = nil
			if !agree(u, got, want) {
				fails++
				if fails <= 30 {
					t.Errorf("request %q: doxls reads %s, Node %s", doc, got, want)
				}
			}
			checked++
		}
	}
	if fails > 0 {
		t.Errorf("%d disagreements on %d URLs and %d request lines", fails, len(urls), checked)
	}
	t.Logf("%d URLs and %d request lines read as Node reads them; %d plain URLs as REST Client reads them", len(urls), checked, plain)
}

// hasRTL reports a right-to-left letter or Arabic digit in s.
func hasRTL(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko) {
			return true
		}
	}
	return false
}

// requestForms writes URL u into request files in ways that must all
// read as u.
func requestForms(u string) []string {
	forms := []string{"GET " + u + "\n", "POST " + u + " HTTP/1.1\nAccept: */*\n"}
	forms = append(forms, "@url = "+u+"\n\nGET {{url}}\n")
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		// A variable's value is trimmed: only an authority without white
		// space at its ends reads the same from one.
		if j := strings.IndexAny(rest, "/?#"); j > 0 && strings.TrimSpace(rest[:j]) == rest[:j] {
			forms = append(forms, fmt.Sprintf("@authority = %s\n\nGET %s{{authority}}%s\n", rest[:j], u[:i+3], rest[j:]))
		}
	}
	return forms
}
