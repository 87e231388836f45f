import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { binaryName, bundledPath, expandHome, findServer, searchPath, ServerNotFoundError, versionProbe, type LookupInput } from '../../src/binary';

// Fake doxls binaries: shell scripts that behave like a good, a broken and
// a wrong program, so the real versionProbe runs them as VS Code would.
let root: string;
let ext: string; // extension folder with server/doxls
let binA: string; // a folder on PATH
let binB: string; // another folder on PATH

function script(file: string, body: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

const good = (v: string) => `[ "$1" = version ] && echo "doxls ${v}" && exit 0\nexit 2`;

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'doxls-binary-test-'));
  ext = path.join(root, 'ext');
  binA = path.join(root, 'bin a');
  binB = path.join(root, 'binB');
  mkdirSync(binA, { recursive: true });
  mkdirSync(binB, { recursive: true });
});

after(() => rmSync(root, { recursive: true, force: true }));

function input(over: Partial<LookupInput> = {}): LookupInput {
  return { configured: '', extensionPath: ext, pathEnv: '', platform: 'linux', home: root, ...over };
}

const probe = versionProbe(3_000);

describe('findServer', { skip: process.platform === 'win32' ? 'uses shell scripts' : false }, () => {
  it('uses dox.server.path first and reports the version it printed', async () => {
    const mine = script(path.join(root, 'mine', 'doxls'), good('9.9.9'));
    script(path.join(ext, 'server', 'doxls'), good('0.1.0'));
    const found = await findServer(input({ configured: mine, pathEnv: binA }), probe);
    assert.deepEqual(found, { path: mine, version: 'doxls 9.9.9', source: 'setting' });
  });

  it('expands ~ in dox.server.path', async () => {
    const mine = script(path.join(root, 'home-bin', 'doxls'), good('1.2.3'));
    const found = await findServer(input({ configured: '~/home-bin/doxls' }), probe);
    assert.equal(found.path, mine);
    assert.equal(expandHome('~', '/h'), '/h');
    assert.equal(expandHome('/abs/~/x', '/h'), '/abs/~/x');
  });

  it('takes the bundled server/doxls when no path is configured', async () => {
    const bundled = script(path.join(ext, 'server', 'doxls'), good('0.1.0'));
    script(path.join(binA, 'doxls'), good('0.0.1'));
    const found = await findServer(input({ pathEnv: binA }), probe);
    assert.deepEqual(found, { path: bundled, version: 'doxls 0.1.0', source: 'bundled' });
  });

  it('falls back to doxls on PATH, skipping folders without it and non-executable files', async () => {
    const noExt = path.join(root, 'no-ext');
    script(path.join(binA, 'doxls'), good('0.0.1'), 0o644);
    const onPath = script(path.join(binB, 'doxls'), good('0.2.0'));
    const found = await findServer(input({ extensionPath: noExt, pathEnv: ['', path.join(root, 'missing'), binA, binB].join(':') }), probe);
    assert.deepEqual(found, { path: onPath, version: 'doxls 0.2.0', source: 'PATH' });
    assert.equal(searchPath('doxls', `${binA}:${binB}`, 'linux'), onPath);
  });

  it('falls back to PATH when the bundled binary is broken (another platform\'s build)', async () => {
    const broken = path.join(root, 'broken-ext');
    script(path.join(broken, 'server', 'doxls'), 'echo "exec format error" >&2; exit 126');
    const onPath = script(path.join(binB, 'doxls'), good('0.2.0'));
    const found = await findServer(input({ extensionPath: broken, pathEnv: binB }), probe);
    assert.equal(found.path, onPath);
  });

  it('names the setting when the configured path does not exist, without trying others', async () => {
    script(path.join(ext, 'server', 'doxls'), good('0.1.0'));
    await assert.rejects(findServer(input({ configured: '/nowhere/doxls' }), probe), (err: unknown) => {
      assert.ok(err instanceof ServerNotFoundError);
      assert.equal(err.settingAtFault, true);
      assert.equal(err.message, 'dox.server.path is "/nowhere/doxls", but there is no executable file at /nowhere/doxls.');
      return true;
    });
  });

  it('says why a configured binary does not work: failing, silent, wrong program, hanging', async () => {
    const cases: [string, string, RegExp][] = [
      ['fails', 'echo "doxls: boom" >&2; exit 1', /dox\.server\.path ".*fails" does not work: doxls: boom\.$/],
      ['silent', 'exit 3', /does not work: "version" exited with status 3\.$/],
      ['other', 'echo "curl 8.5.0"', /does not work: "version" printed "curl 8\.5\.0", not "doxls <version>"\.$/],
      ['hangs', 'exec sleep 30', /does not work: "version" did not answer within 0\.5s\.$/],
    ];
    for (const [name, body, re] of cases) {
      const p = script(path.join(root, 'cfg', name), body);
      await assert.rejects(findServer(input({ configured: p }), versionProbe(500)), (err: unknown) => {
        assert.ok(err instanceof ServerNotFoundError, name);
        assert.match(err.message, re);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      });
    }
  });

  it('says where it looked when there is no binary at all', async () => {
    await assert.rejects(findServer(input({ extensionPath: path.join(root, 'none'), pathEnv: path.join(root, 'empty') }), probe), (err: unknown) => {
      assert.ok(err instanceof ServerNotFoundError);
      assert.equal(err.settingAtFault, false);
      assert.match(err.message, /^The doxls server was not found: .*Install doxls or set dox\.server\.path\.$/);
      return true;
    });
  });

  it('lists every broken candidate in one line', async () => {
    const broken = path.join(root, 'broken2');
    script(path.join(broken, 'server', 'doxls'), 'exit 1');
    const badPath = path.join(root, 'badpath');
    script(path.join(badPath, 'doxls'), 'echo nope');
    await assert.rejects(findServer(input({ extensionPath: broken, pathEnv: badPath }), probe), (err: unknown) => {
      assert.ok(err instanceof ServerNotFoundError);
      assert.match(err.message, /^The doxls server cannot start: the bundled .* does not work: .*; .* \(from PATH\) does not work: .*Set dox\.server\.path to a working doxls\.$/);
      return true;
    });
  });

  it('looks for doxls.exe on Windows and finds nothing on an empty PATH', () => {
    assert.equal(binaryName('win32'), 'doxls.exe');
    assert.equal(binaryName('linux'), 'doxls');
    assert.equal(searchPath('doxls', '', 'linux'), undefined);
  });
});

// Each platform's shapes, checked on any machine: the files that exist are
// a set, the probe answers for any path.
describe('findServer with each platform\'s paths', () => {
  const answers = async (p: string) => `doxls 0.1.0 (${p})`;
  const shapes: { platform: NodeJS.Platform; ext: string; home: string; pathEnv: string; onPath: string; configured: string; configuredAt: string }[] = [
    {
      platform: 'win32',
      ext: 'C:\\Users\\Me\\.vscode\\extensions\\doxls.doxls-0.1.0-win32-x64',
      home: 'C:\\Users\\Me',
      pathEnv: 'C:\\Windows\\system32;;"C:\\Program Files\\doxls";C:\\tools',
      onPath: 'C:\\Program Files\\doxls\\doxls.exe',
      configured: '~\\bin\\doxls.exe',
      configuredAt: 'C:\\Users\\Me\\bin\\doxls.exe',
    },
    {
      platform: 'darwin',
      ext: '/Users/me/.vscode/extensions/doxls.doxls-0.1.0-darwin-arm64',
      home: '/Users/me',
      pathEnv: '/usr/bin:/opt/homebrew/bin:/usr/local/bin',
      onPath: '/opt/homebrew/bin/doxls',
      configured: '~/go/bin/doxls',
      configuredAt: '/Users/me/go/bin/doxls',
    },
    {
      platform: 'linux',
      ext: '/home/me/.vscode-server/extensions/doxls.doxls-0.1.0-linux-arm64',
      home: '/home/me',
      pathEnv: '/usr/local/bin:/home/me/.local/share/nvim/mason/bin:/usr/bin',
      onPath: '/home/me/.local/share/nvim/mason/bin/doxls',
      configured: '~/bin/doxls',
      configuredAt: '/home/me/bin/doxls',
    },
  ];
  for (const s of shapes) {
    const bundled = bundledPath(s.ext, s.platform);
    const base = { configured: '', extensionPath: s.ext, pathEnv: s.pathEnv, platform: s.platform, home: s.home };

    it(`${s.platform}: the bundled server first, then PATH, then the setting alone`, async () => {
      assert.equal(bundled, s.platform === 'win32' ? `${s.ext}\\server\\doxls.exe` : `${s.ext}/server/doxls`);
      const all = new Set([bundled, s.onPath, s.configuredAt]);
      assert.equal((await findServer({ ...base, isExecutable: (p) => all.has(p) }, answers)).path, bundled);
      // The universal .vsix carries no server: PATH it is.
      const found = await findServer({ ...base, isExecutable: (p) => p === s.onPath }, answers);
      assert.deepEqual([found.path, found.source], [s.onPath, 'PATH']);
      const set = await findServer({ ...base, configured: s.configured, isExecutable: (p) => all.has(p) }, answers);
      assert.deepEqual([set.path, set.source], [s.configuredAt, 'setting']);
    });

    it(`${s.platform}: no server anywhere names the file it looked for`, async () => {
      await assert.rejects(findServer({ ...base, isExecutable: () => false }, answers), (err: unknown) => {
        assert.ok(err instanceof ServerNotFoundError);
        assert.ok(err.message.includes(`no ${binaryName(s.platform)} on PATH`), err.message);
        return true;
      });
    });
  }

  it('win32: a quoted PATH entry is searched without its quotes, doxls.cmd is not a server', () => {
    const seen: string[] = [];
    searchPath('doxls.exe', '"C:\\a b";C:\\c', 'win32', (p) => (seen.push(p), false));
    assert.deepEqual(seen, ['C:\\a b\\doxls.exe', 'C:\\c\\doxls.exe']);
  });
});
