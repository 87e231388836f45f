// The editor's view: VS Code's own LSP client library
// (vscode-languageserver-protocol) drives the doxls binary over stdio.
// Run by server/node_test.go, which starts the UAA emulator and passes:
//   DOXLS_BIN, DOXLS_WORKSPACE (holds dox-key.json), DOXLS_API, DOXLS_CLIENT_ID
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, ExecuteCommandRequest,
  ApplyWorkspaceEditRequest, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification,
  HoverRequest, CodeLensRequest, ShutdownRequest, ExitNotification,
  WorkDoneProgressCreateRequest, ConfigurationRequest, RegistrationRequest, ResponseError,
} from 'vscode-languageserver-protocol/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run this through go test ./server -run Node`);
  return v;
};
const bin = env('DOXLS_BIN');
const workspace = env('DOXLS_WORKSPACE');
const api = env('DOXLS_API');
const clientId = env('DOXLS_CLIENT_ID');

// Tokens never reach a failure message whole.
const redact = (s) => s.replace(/ey[\w-]+\.[\w-]+\.[\w-]+/g, (t) => `${t.slice(0, 10)}…(${t.length} chars)`);
const sameText = (got, want, what) => assert.ok(got === want, `${what}:\n got ${JSON.stringify(redact(got))}\nwant ${JSON.stringify(redact(want))}`);

let proc, conn, exitCode;
const docs = new Map();
const statuses = [];
let applyEdits = 0;

before(async () => {
  proc = spawn(bin, ['serve'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  exitCode = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onRequest(ApplyWorkspaceEditRequest.type, ({ edit }) => {
    applyEdits++;
    for (const change of edit.documentChanges ?? []) {
      const doc = docs.get(change.textDocument.uri);
      if (!doc || (change.textDocument.version !== null && change.textDocument.version !== doc.version)) {
        return { applied: false, failureReason: 'stale version' };
      }
      const text = TextDocument.applyEdits(doc, change.edits);
      const next = TextDocument.create(doc.uri, 'http', doc.version + 1, text);
      docs.set(doc.uri, next);
      conn.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri: doc.uri, version: next.version },
        contentChanges: [{ text }],
      });
    }
    return { applied: true };
  });
  conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
  conn.onRequest(RegistrationRequest.type, () => null);
  conn.onRequest(ConfigurationRequest.type, () => [{}]);
  conn.onNotification('dox/tokenStatus', (p) => statuses.push(p));
  conn.listen();
  const folder = pathToFileURL(workspace).href;
  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: folder,
    workspaceFolders: [{ uri: folder, name: 'ws' }],
    capabilities: {
      workspace: { applyEdit: true, workspaceEdit: { documentChanges: true }, configuration: true },
      window: { workDoneProgress: true },
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } },
    },
    initializationOptions: { refreshMarginSeconds: 300, insertMode: 'header' },
  });
  assert.deepEqual(init.capabilities.executeCommandProvider.commands.sort(), [
    'doxls.clearToken', 'doxls.getToken', 'doxls.insertBearer', 'doxls.loadServiceKey',
    'doxls.newRequestFile', 'doxls.refreshBearers', 'doxls.tokenInfo', 'doxls.waitForJob',
  ]);
  await conn.sendNotification(InitializedNotification.type, {});
});

after(async () => {
  conn?.dispose();
  proc?.kill();
});

const run = (command, arg) => conn.sendRequest(ExecuteCommandRequest.type, { command, arguments: arg === undefined ? [] : [arg] });

function open(name, text) {
  const uri = pathToFileURL(path.join(workspace, name)).href;
  const doc = TextDocument.create(uri, 'http', 1, text);
  docs.set(uri, doc);
  conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'http', version: 1, text } });
  return uri;
}

test('Get DOX token: a bearer token with its expiry, and the status notification', async () => {
  const tok = await run('doxls.getToken');
  assert.equal(tok.key, 'dox-key.json');
  assert.equal(tok.tokenType, 'bearer');
  assert.ok(tok.expiresIn > 43000 && tok.expiresIn <= 43199, `expiresIn ${tok.expiresIn}`);
  assert.ok(!Number.isNaN(Date.parse(tok.expiresAt)));
  const st = statuses.find((s) => s.state === 'valid');
  assert.ok(st, 'a dox/tokenStatus "valid" notification arrived before the answer');
  assert.equal(st.key, 'dox-key.json');
  const again = await run('doxls.getToken');
  assert.equal(again.fromCache, true);
});

test('insert bearer: the edited document matches byte for byte, a second run changes nothing', async () => {
  const src = '# Über DOX – Anfragen\r\n@host = ' + api + '\r\n\r\n### capabilities\r\nGET {{host}}/capabilities\r\nAccept: application/json\r\n\r\n### other\r\nGET https://api.example.com/x\r\n';
  const uri = open('crlf.http', src);
  const res = await run('doxls.insertBearer', { uri });
  const { accessToken } = await run('doxls.getToken');
  const want = src.replace('Accept: application/json\r\n', `Accept: application/json\r\nAuthorization: Bearer ${accessToken}\r\n`);
  sameText(docs.get(uri).getText(), want, 'document after insert');
  assert.equal(res.edited, 1);
  assert.deepEqual(res.skipped.map((s) => s.line), [9], "skipped lines count in the edited document");
  const before = applyEdits;
  const second = await run('doxls.insertBearer', { uri });
  assert.equal(second.edited, 0);
  assert.equal(applyEdits, before, 'no workspace/applyEdit for a no-op');
  sameText(docs.get(uri).getText(), want, 'document after the second insert');
});

test('hover shows the claims, never the token; code lens counts down', async () => {
  const { accessToken } = await run('doxls.getToken');
  const uri = open('hover.http', `GET ${api}/document/jobs\nAuthorization: Bearer ${accessToken}\n`);
  const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 40 } });
  assert.equal(hover.contents.kind, 'markdown');
  assert.ok(hover.contents.value.includes(clientId), redact(hover.contents.value));
  assert.ok(!hover.contents.value.includes(accessToken), 'the hover holds the token');
  const lenses = await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  assert.equal(lenses.length, 1);
  assert.match(lenses[0].command.title, /^DOX token expires in 1[12]h \d+m/);
});

test('errors come back as JSON-RPC errors with one line', async () => {
  await assert.rejects(run('doxls.nope'), (e) => e instanceof ResponseError && e.code === -32602);
  await assert.rejects(run('doxls.insertBearer', { uri: 7 }), (e) => e.code === -32602 && /uri/.test(e.message) && !e.message.includes('\n'));
});

test('shutdown and exit end the process with status 0', async () => {
  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  assert.equal(await exitCode, 0);
});
