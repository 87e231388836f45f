// url-hosts.mjs reads a JSON array of URL strings on stdin and prints, for
// each, how Node's WHATWG URL parser (the one httpyac and REST Client use)
// reads it: {"ok": true, "scheme": "https", "host": "api.example.com"} or
// {"ok": false}. The Go differential test (httpfile/whatwg_test.go) runs it
// once for all its inputs.
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((s) => {
    try {
      const u = new URL(s);
      return { ok: true, scheme: u.protocol.replace(/:$/, ''), host: u.host };
    } catch {
      return { ok: false };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
