import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS, normaliseConfiguration, onPath, relativeInside, serverSettings } from '../../src/settings';

function getter(values: Record<string, unknown>) {
  return (name: string) => values[name];
}

describe('serverSettings (initializationOptions)', () => {
  it('sends the defaults as a flat object, without serviceKey when none is set', () => {
    assert.deepEqual(serverSettings(getter({})), {
      refreshMarginSeconds: 300,
      autoRefresh: true,
      insertMode: 'header',
      variableName: 'doxToken',
      envName: 'dev',
      envFileFormat: 'json',
      extraHosts: [],
      timeoutSeconds: 10,
      certificateWarningDays: 2,
    });
    assert.deepEqual(serverSettings(getter({ serviceKey: '  ' })), serverSettings(getter({})));
  });
  it('maps every dox.* setting to the field of the same name', () => {
    const s = serverSettings(
      getter({
        serviceKey: 'keys/dox-key.json',
        refreshMarginSeconds: 120,
        autoRefresh: false,
        insertMode: 'envFile',
        variableName: 'token',
        envName: 'prod',
        envFileFormat: 'dotenv',
        extraHosts: ['dox.internal.example:8443'],
        timeoutSeconds: 20,
        certificateWarningDays: 5,
        // These steer the client and are not server settings.
        server: { path: '/opt/doxls' },
        trace: { server: 'verbose' },
      }),
    );
    assert.deepEqual(s, {
      serviceKey: 'keys/dox-key.json',
      refreshMarginSeconds: 120,
      autoRefresh: false,
      insertMode: 'envFile',
      variableName: 'token',
      envName: 'prod',
      envFileFormat: 'dotenv',
      extraHosts: ['dox.internal.example:8443'],
      timeoutSeconds: 20,
      certificateWarningDays: 5,
    });
  });
  it('repairs values a hand-edited settings.json may carry', () => {
    const s = serverSettings(
      getter({
        refreshMarginSeconds: '600',
        timeoutSeconds: 0,
        insertMode: 'bogus',
        envFileFormat: 'yaml',
        envName: '  ',
        variableName: '@myToken ',
        extraHosts: [' a.example ', '', 42, 'b.example:444'],
        autoRefresh: 'yes',
      }),
    );
    assert.equal(s.refreshMarginSeconds, 600);
    assert.equal(s.timeoutSeconds, 1);
    assert.equal(s.insertMode, 'header');
    assert.equal(s.envFileFormat, 'json');
    assert.equal(s.envName, 'dev');
    assert.equal(s.variableName, 'myToken');
    assert.deepEqual(s.extraHosts, ['a.example', 'b.example:444']);
    assert.equal(s.autoRefresh, DEFAULTS.autoRefresh);
  });
  it('passes each insert mode the server knows', () => {
    for (const mode of ['header', 'variable', 'envFile']) {
      assert.equal(serverSettings(getter({ insertMode: mode })).insertMode, mode);
    }
  });
  it('rounds fractional seconds down and refuses negative or non-numeric ones', () => {
    assert.equal(serverSettings(getter({ refreshMarginSeconds: 59.9 })).refreshMarginSeconds, 59);
    assert.equal(serverSettings(getter({ refreshMarginSeconds: -5 })).refreshMarginSeconds, 0);
    assert.equal(serverSettings(getter({ refreshMarginSeconds: 'soon' })).refreshMarginSeconds, 300);
  });
  it('accepts a comma-separated host list typed as one string', () => {
    assert.deepEqual(serverSettings(getter({ extraHosts: 'a.example, b.example' })).extraHosts, ['a.example', 'b.example']);
  });
  it('round-trips through JSON as the server will read it', () => {
    const s = serverSettings(getter({ serviceKey: 'C:\\keys\\dox key.json' }));
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  });
});

describe('normaliseConfiguration (the workspace/configuration middleware)', () => {
  // VS Code answers the server's request with settings.json as it is; the
  // server refuses a negative margin, so before this a margin of -5 was
  // fixed at start (initializationOptions) and broken after any edit.
  it('answers section "dox" as initializationOptions has it', () => {
    const raw = { refreshMarginSeconds: -5, timeoutSeconds: '20', extraHosts: [' a.example '], server: { path: '/opt/doxls' } };
    const [dox] = normaliseConfiguration([{ section: 'dox' }], [raw]);
    assert.deepEqual(dox, serverSettings(getter(raw)));
    assert.equal((dox as { refreshMarginSeconds: number }).refreshMarginSeconds, 0);
    assert.equal((dox as { timeoutSeconds: number }).timeoutSeconds, 20);
    assert.equal('server' in (dox as object), false);
  });
  it('answers the defaults for a missing section and leaves other sections alone', () => {
    const other = { tabSize: 4 };
    const answers = normaliseConfiguration([{ section: 'editor' }, { section: 'dox', scopeUri: 'file:///ws' }], [other, null]);
    assert.equal(answers[0], other);
    assert.deepEqual(answers[1], serverSettings(getter({})));
  });
});

describe('DEFAULTS', () => {
  it('are package.json\'s, which the Go tests hold to the server\'s', () => {
    assert.equal(DEFAULTS.refreshMarginSeconds, 300);
    assert.equal(DEFAULTS.timeoutSeconds, 10);
    assert.equal(DEFAULTS.certificateWarningDays, 2);
    assert.deepEqual(DEFAULTS.extraHosts, []);
  });
});

describe('relativeInside (the value "DOX: Select Service Key" writes to dox.serviceKey)', () => {
  it('makes a key inside the workspace folder relative, with forward slashes', () => {
    assert.equal(relativeInside('/ws', '/ws/keys/dox-key.json'), 'keys/dox-key.json');
    assert.equal(relativeInside('C:\\ws', 'C:\\ws\\keys\\dox-key.json', path.win32), 'keys/dox-key.json');
  });
  it('keeps a key outside the folder absolute', () => {
    assert.equal(relativeInside('/ws', '/home/me/keys/dox-key.json'), '/home/me/keys/dox-key.json');
    assert.equal(relativeInside('/ws', '/ws'), '/ws');
    assert.equal(relativeInside('C:\\ws', 'D:\\keys\\k.json', path.win32), 'D:\\keys\\k.json');
  });
});

describe('onPath', () => {
  it('finds cf in a PATH folder, and cf.exe through PATHEXT on Windows', () => {
    const files = new Set([path.posix.join('/usr/local/bin', 'cf'), path.win32.join('C:\\CF', 'cf.EXE')]);
    const exists = (f: string) => files.has(f);
    assert.equal(onPath('cf', { PATH: '/usr/bin:/usr/local/bin' }, exists, path.posix, false), true);
    assert.equal(onPath('cf', { PATH: '/usr/bin' }, exists, path.posix, false), false);
    assert.equal(onPath('cf', { Path: 'C:\\Windows;C:\\CF', PATHEXT: '.COM;.EXE' }, exists, path.win32, true), true);
    assert.equal(onPath('cf', {}, exists, path.posix, false), false);
  });
});

describe('settings a workspace cannot set', () => {
  // A cloned repository's .vscode/settings.json would otherwise add its
  // own collector to the hosts that get the token (review of issue 12).
  it('dox.extraHosts is not read from workspace settings', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties ?? {};
    assert.equal(props['dox.extraHosts'].scope, 'machine');
  });
  // The same repository's dox.server.path would name a program for the
  // extension to start: the extension runs only once the folder is trusted.
  it('the extension stays off in Restricted Mode', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, false);
  });
});
