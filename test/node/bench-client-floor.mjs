// What the client alone spends on a header-mode insertBearer into 500,
// 1,000 and 5,000 requests, with no server and no I/O: VS Code's client
// library parses the workspace edit, vscode-languageserver-textdocument
// applies its edits, and the didChange is serialized, either as VS Code
// sends it (vscode: one change per edit, last to first) or as the whole new
// text (full). No server can make the round trip faster than this. Run by
// scripts/bench.sh:
//   node test/node/bench-client-floor.mjs
import { TextDocument } from 'vscode-languageserver-textdocument';

const token = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9'.padEnd(1700, 'x');
for (const n of [500, 1000, 5000]) {
  let text = '';
  const edits = [];
  for (let i = 0; i < n; i++) {
    text += `### job ${i}\nGET https://api.example.com/document/jobs/${i}\nAccept: application/json\nX-Trace: ${i}\n\n`;
    const at = { line: i * 5 + 4, character: 0 };
    edits.push({ range: { start: at, end: at }, newText: `Authorization: Bearer ${token}\n` });
  }
  const wire = Buffer.from(JSON.stringify({
    jsonrpc: '2.0', id: 'doxls/1', method: 'workspace/applyEdit',
    params: { edit: { documentChanges: [{ textDocument: { uri: 'file:///big.http', version: 1 }, edits }] } },
  }));
  for (const shape of ['vscode', 'full']) {
    const runs = [];
    for (let r = 0; r < 10; r++) {
      const start = performance.now();
      const msg = JSON.parse(wire.toString('utf8'));
      const received = msg.params.edit.documentChanges[0].edits;
      const doc = TextDocument.create('file:///big.http', 'http', 1, text);
      const next = TextDocument.applyEdits(doc, received);
      const contentChanges = shape === 'full' ? [{ text: next }] : received.slice().reverse().map((e) => ({
        range: e.range, rangeLength: doc.offsetAt(e.range.end) - doc.offsetAt(e.range.start), text: e.newText,
      }));
      Buffer.from(JSON.stringify({
        jsonrpc: '2.0', method: 'textDocument/didChange',
        params: { textDocument: { uri: doc.uri, version: 2 }, contentChanges },
      }));
      runs.push(performance.now() - start);
    }
    runs.sort((a, b) => a - b);
    console.log(`client alone, ${n} requests, ${(wire.length / 1e6).toFixed(1)} MB edit, ${shape} didChange: p50 ${runs[Math.floor(runs.length / 2)].toFixed(0)} ms, min ${runs[0].toFixed(0)} ms`);
  }
}
