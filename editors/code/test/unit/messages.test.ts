import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  insertSummary,
  keyPicks,
  newFileSummary,
  refreshSummary,
  swaggerTarget,
  tokenDetailsMarkdown,
  tokenMessage,
} from '../../src/messages';

const NOW = Date.parse('2026-03-14T09:00:00Z');
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJzYi0zZjFjIn0.c2lnbmF0dXJl';

describe('tokenMessage', () => {
  it('names the key and the time left, never the token', () => {
    const r = { key: 'dox-key.json', accessToken: JWT, expiresAt: '2026-03-14T20:59:59Z', fromCache: false };
    assert.equal(tokenMessage(r, NOW), 'DOX token for dox-key.json is valid for 11h 59m.');
    assert.equal(tokenMessage({ ...r, fromCache: true }, NOW), 'DOX token for dox-key.json is valid for 11h 59m (cached).');
    assert.ok(!tokenMessage(r, NOW).includes(JWT));
  });
});

describe('insertSummary', () => {
  it('reports edits quietly', () => {
    assert.deepEqual(insertSummary([{ edited: 1, skipped: [] }]), { level: 'info', text: 'DOX token written (1 edit).' });
    assert.deepEqual(insertSummary([{ edited: 2 }, { edited: 1 }]), { level: 'info', text: 'DOX token written (3 edits).' });
  });
  it('warns about skipped requests with 1-based line numbers', () => {
    const s = insertSummary([{ edited: 0, skipped: [{ line: 9, reason: 'host api.example.com is not the key\'s API host' }] }]);
    assert.equal(s.level, 'warning');
    assert.equal(s.text, "No DOX token written: skipped line 10: host api.example.com is not the key's API host.");
    assert.equal(insertSummary([{ edited: 1, skipped: [{ line: 0, reason: 'Basic authorization' }] }]).text, 'DOX token written (1 edit). Skipped line 1: Basic authorization.');
  });
  it('says so when nothing needed to change', () => {
    assert.deepEqual(insertSummary([{ edited: 0, skipped: [] }]), { level: 'info', text: 'The Bearer headers already carry the current DOX token.' });
  });
});

describe('refreshSummary', () => {
  it('counts tokens and documents', () => {
    assert.equal(refreshSummary({ edited: 3, documents: 2 }), 'Refreshed 3 Bearer tokens in 2 documents.');
    assert.equal(refreshSummary({ edited: 1, documents: 1 }), 'Refreshed 1 Bearer token in 1 document.');
    assert.equal(refreshSummary({ edited: 0, documents: 0 }), 'Every Bearer header already carries the current DOX token.');
  });
});

describe('keyPicks', () => {
  it('shows each key with its zone and API host, marking the active one', () => {
    const picks = keyPicks({
      active: 'keys/dox-key.json',
      keys: [
        {
          id: 'keys/dox-key.json',
          path: '/ws/keys/dox-key.json',
          clientId: 'sb-3f1c!b48751|dox-xsuaa-std-trial!b10844',
          apiUrl: 'https://aiservices-trial-dox.cfapps.us10.hana.ondemand.com',
          identityZone: 'mysub',
          credentialType: 'binding-secret',
        },
        { id: 'env:VCAP_SERVICES', uaaUrl: 'https://x.authentication.eu10.hana.ondemand.com' },
      ],
    });
    assert.deepEqual(
      picks.map(({ label, description, detail, active }) => ({ label, description, detail, active })),
      [
        {
          label: '$(check) keys/dox-key.json',
          description: 'zone mysub · aiservices-trial-dox.cfapps.us10.hana.ondemand.com',
          detail: 'client sb-3f1c!b48751|dox-xsuaa-std-trial!b10844 · binding-secret',
          active: true,
        },
        { label: 'env:VCAP_SERVICES', description: 'no zone · no API URL', detail: '', active: false },
      ],
    );
  });
  it('copes with a result without keys', () => {
    assert.deepEqual(keyPicks({ keys: [], active: null }), []);
  });
  it('shows until when an x509 key\'s certificate is valid', () => {
    process.env.TZ = 'UTC';
    const [pick] = keyPicks({
      active: 'cf:dox/dox-x509',
      keys: [{ id: 'cf:dox/dox-x509', clientId: 'sb-x!b1', credentialType: 'x509', certificateExpiresAt: '2026-03-20T10:15:00Z' }],
    });
    assert.equal(pick.detail, 'client sb-x!b1 · x509 · certificate until 2026-03-20 10:15');
  });
});

describe('tokenDetailsMarkdown with an x509 key', () => {
  it('adds when the key\'s certificate expires', () => {
    process.env.TZ = 'UTC';
    const md = tokenDetailsMarkdown({ clientId: 'sb-x!b1' }, 'x509.json', NOW, '2026-03-16T09:00:00Z');
    assert.ok(md.includes('- **Certificate expires:** 2026-03-16 09:00 (in 2d'), md);
  });
});

describe('tokenDetailsMarkdown', () => {
  it('lists the claims with absolute and relative times', () => {
    process.env.TZ = 'UTC';
    const md = tokenDetailsMarkdown(
      {
        clientId: 'sb-3f1c!b48751|dox-xsuaa-std-trial!b10844',
        zoneId: 'mysub',
        scopes: ['uaa.resource', 'dox-xsuaa-std-trial!b10844.write'],
        issuedAt: '2026-03-14T08:00:00Z',
        expiresAt: '2026-03-14T19:59:59Z',
        issuer: 'https://mysub.authentication.us10.hana.ondemand.com/oauth/token',
        grantType: 'client_credentials',
      },
      'dox-key.json',
      NOW,
    );
    assert.equal(
      md,
      [
        '# DOX token',
        '',
        '- **Key:** dox-key.json',
        '- **Client id:** sb-3f1c!b48751|dox-xsuaa-std-trial!b10844',
        '- **Identity zone:** mysub',
        '- **Grant type:** client_credentials',
        '- **Issuer:** https://mysub.authentication.us10.hana.ondemand.com/oauth/token',
        '- **Issued:** 2026-03-14 08:00 (1h 0m ago)',
        '- **Expires:** 2026-03-14 19:59 (in 10h 59m)',
        '',
        '## Scopes (2)',
        '',
        '- uaa.resource',
        '- dox-xsuaa-std-trial!b10844.write',
        '',
      ].join('\n'),
    );
  });
  it('fills gaps with dashes', () => {
    const md = tokenDetailsMarkdown({}, undefined, NOW);
    assert.match(md, /^- \*\*Key:\*\* —$/m);
    assert.match(md, /^none$/m);
  });
});

describe('newFileSummary', () => {
  const label = (p: string) => p.replace(/^(file:\/\/)?\/home\/ana\/dox\//, '');
  it('names the file it created', () => {
    assert.deepEqual(newFileSummary({ uri: 'file:///home/ana/dox/dox-2.http' }, label), { level: 'info', text: 'Created dox-2.http.' });
  });
  it('names the environment file that got the token, and the .gitignore that now lists it', () => {
    const r = {
      uri: 'file:///home/ana/dox/dox.http',
      env: { path: '/home/ana/dox/http-client.private.env.json', env: 'dev', changed: true, created: true, ignoredIn: '/home/ana/dox/.gitignore' },
    };
    assert.deepEqual(newFileSummary(r, label), {
      level: 'info',
      text: 'Created dox.http. The token is in http-client.private.env.json (environment dev). Added it to .gitignore.',
    });
  });
  it('warns when git would commit the environment file', () => {
    const warning = 'git does not ignore .env, which holds the token: add it to .gitignore.';
    const s = newFileSummary({ uri: 'file:///home/ana/dox/dox.http', env: { path: '/home/ana/dox/.env', warning } }, label);
    assert.equal(s.level, 'warning');
    assert.equal(s.text, `Created dox.http. The token is in .env. ${warning}`);
  });
});

describe('swaggerTarget', () => {
  const swagger = 'https://tenant-a.eu10.doc.cloud.sap/document-information-extraction/v1/';
  const keys = [
    { id: 'dox-key.json', apiUrl: 'https://aiservices-dox.cfapps.eu10.hana.ondemand.com', swaggerUrl: swagger },
    { id: 'keys/uaa-only.json', apiUrl: 'https://aiservices-dox.cfapps.eu10.hana.ondemand.com' },
  ];
  it("opens the active key's Swagger UI", () => {
    assert.deepEqual(swaggerTarget({ keys, active: 'dox-key.json' }), { key: 'dox-key.json', url: swagger });
  });
  it('falls back to the key the status bar shows when the server has no active key', () => {
    assert.deepEqual(swaggerTarget({ keys, active: null }, 'dox-key.json'), { key: 'dox-key.json', url: swagger });
    assert.deepEqual(swaggerTarget({ keys, active: 'dox-key.json' }, 'keys/uaa-only.json'), { key: 'dox-key.json', url: swagger });
  });
  it('says why there is nothing to open', () => {
    assert.deepEqual(swaggerTarget({ keys: [], active: null }), { problem: 'No service key found: choose one with "DOX: Select Service Key".' });
    assert.deepEqual(swaggerTarget({ keys, active: null }), { problem: 'No active service key: choose one with "DOX: Select Service Key".' });
    assert.deepEqual(swaggerTarget({ keys, active: 'keys/uaa-only.json' }), {
      problem: 'The service key keys/uaa-only.json names no Swagger UI (it has no tenantuiurl and swagger fields).',
    });
  });
  it('opens only http(s) addresses from a key file', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'tenant.example.com/swagger']) {
      const r = swaggerTarget({ keys: [{ id: 'k.json', swaggerUrl: url }], active: 'k.json' });
      assert.ok('problem' in r && r.problem.startsWith('The Swagger UI address of k.json is not an http(s) URL'), JSON.stringify(r));
    }
    assert.deepEqual(swaggerTarget({ keys: [{ id: 'k.json', swaggerUrl: ' http://127.0.0.1:8080/v1/ ' }], active: 'k.json' }), {
      key: 'k.json',
      url: 'http://127.0.0.1:8080/v1/',
    });
  });
});
