// The editor's view of the costliest command: doxls.insertBearer on a
// document of DOXLS_REQUESTS requests, with VS Code's own client library
// (vscode-languageserver-protocol) receiving the workspace edit, applying it
// and sending the didChange back. DOXLS_SHAPE=vscode reports the edit as VS
// Code does: one didChange holding one incremental change per text edit,
// last to first (each range valid in the text the changes before it left);
// DOXLS_SHAPE=full sends the whole new text instead. Run by
// BenchmarkInsertBearerVSCodeClient (server/node_test.go), which starts the
// UAA emulator and passes DOXLS_BIN, DOXLS_WORKSPACE, DOXLS_API, DOXLS_MODE,
// DOXLS_SHAPE, DOXLS_REQUESTS and DOXLS_ITER. Prints one JSON line:
// per-insert milliseconds (p50, max) and the server's resident memory after
// the last insert.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, ExecuteCommandRequest, ApplyWorkspaceEditRequest,
  DidOpenTextDocumentNotification, DidCloseTextDocumentNotification, DidChangeTextDocumentNotification,
  ShutdownRequest, ExitNotification, WorkDoneProgressCreateRequest, RegistrationRequest, ConfigurationRequest,
} from 'vscode-languageserver-protocol/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run this through go test ./server -bench VSCodeClient`);
  return v;
};
const workspace = env('DOXLS_WORKSPACE');
const api = env('DOXLS_API');
const iterations = Number(env('DOXLS_ITER'));
const requests = Number(env('DOXLS_REQUESTS'));
const incremental = env('DOXLS_SHAPE') === 'vscode';

// vscodeChanges is the contentChanges VS Code sends for the edits it
// applied to doc: one per edit, last to first; edits at the same spot in
// reverse order too, as each lands in front of the one applied before it.
const before = (a, b) => a.line < b.line || (a.line === b.line && a.character < b.character);
const vscodeChanges = (doc, edits) => edits
  .map((e, i) => ({ e, i }))
  .sort((x, y) => (before(x.e.range.start, y.e.range.start) ? -1 : before(y.e.range.start, x.e.range.start) ? 1 : x.i - y.i))
  .reverse()
  .map(({ e }) => ({
    range: e.range,
    rangeLength: doc.offsetAt(e.range.end) - doc.offsetAt(e.range.start),
    text: e.newText,
  }));

const proc = spawn(env('DOXLS_BIN'), ['serve'], { cwd: workspace, stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const docs = new Map();
conn.onRequest(ApplyWorkspaceEditRequest.type, ({ edit }) => {
  for (const change of edit.documentChanges ?? []) {
    const doc = docs.get(change.textDocument.uri);
    if (!doc || change.textDocument.version !== doc.version) {
      return { applied: false, failureReason: 'stale version' };
    }
    const next = TextDocument.create(doc.uri, 'http', doc.version + 1, TextDocument.applyEdits(doc, change.edits));
    docs.set(doc.uri, next);
    conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: doc.uri, version: next.version },
      contentChanges: incremental ? vscodeChanges(doc, change.edits) : [{ text: next.getText() }],
    });
  }
  return { applied: true };
});
conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
conn.onRequest(RegistrationRequest.type, () => null);
conn.onRequest(ConfigurationRequest.type, () => [{}]);
conn.listen();

const folder = pathToFileURL(workspace).href;
await conn.sendRequest(InitializeRequest.type, {
  processId: process.pid,
  rootUri: folder,
  workspaceFolders: [{ uri: folder, name: 'ws' }],
  capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } }, window: { workDoneProgress: true } },
  initializationOptions: { insertMode: env('DOXLS_MODE') },
});
await conn.sendNotification(InitializedNotification.type, {});
const run = (command, arg) => conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] });
await run('doxls.getToken', {});

let text = '';
for (let i = 0; i < requests; i++) {
  text += `### job ${i}\nGET ${api}/document/jobs/${i}\nAccept: application/json\nX-Trace: ${i}\n\n`;
}

const took = [];
let rssKB = 0;
for (let i = 0; i < iterations; i++) {
  const uri = pathToFileURL(path.join(workspace, `big${i}.http`)).href;
  docs.set(uri, TextDocument.create(uri, 'http', 1, text));
  await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'http', version: 1, text } });
  const start = performance.now();
  const res = await run('doxls.insertBearer', { uri });
  took.push(performance.now() - start);
  if (res.edited < requests) throw new Error(`edited ${res.edited} lines, want ${requests}`);
  rssKB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))[1]);
  await conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  docs.delete(uri);
}
await conn.sendRequest(ShutdownRequest.type);
await conn.sendNotification(ExitNotification.type);
conn.dispose();

took.sort((a, b) => a - b);
console.log(JSON.stringify({ p50ms: took[Math.floor(took.length / 2)], maxms: took[took.length - 1], rssMB: rssKB / 1024 }));
