// url-hosts.mjs reads a JSON array of URL strings on stdin and prints, for
// each, how the Node clients read it. "ok", "scheme" and "host" are Node's
// WHATWG URL (httpyac); "rest" is REST Client's reading: got 9 puts
// https:// in front of a URL without a scheme (prepend-http) and parses it
// with Node's legacy url.parse. The Go differential test
// (httpfile/whatwg_test.go) runs it once for all its inputs.
import { parse } from 'node:url';

// prependHttp is prepend-http 2 with got 9's option (https: true).
function prependHttp(u) {
  u = u.trim();
  if (/^\.*\/|^(?!localhost)\w+:/.test(u)) return u;
  return u.replace(/^(?!(?:\w+:)?\/\/)/, 'https://');
}

function restClient(s) {
  try {
    const u = parse(prependHttp(s));
    return { scheme: (u.protocol || 'https:').replace(/:$/, ''), hostname: u.hostname || '', port: u.port || '' };
  } catch {
    return null;
  }
}

process.noDeprecation = true; // url.parse warns on hosts the test makes on purpose
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map((s) => {
    const rest = restClient(s);
    try {
      const u = new URL(s);
      return { ok: true, scheme: u.protocol.replace(/:$/, ''), host: u.host, rest };
    } catch {
      return { ok: false, rest };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
