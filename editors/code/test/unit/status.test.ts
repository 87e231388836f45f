import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  effectiveState,
  formatClock,
  formatTimeLeft,
  nextTickDelay,
  stateColor,
  statusView,
  type KeyInfo,
  type TokenStatus,
} from '../../src/status';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const NOW = Date.parse('2026-03-14T09:00:00Z');

const key: KeyInfo = {
  id: 'keys/dox-key.json',
  identityZone: 'mysub-7e4a1c',
  apiUrl: 'https://aiservices-trial-dox.cfapps.us10.hana.ondemand.com',
  clientId: 'sb-3f1c9a2e!b48751|dox-xsuaa-std-trial!b10844',
};

function status(state: TokenStatus['state'], msLeft: number | null, message?: string): TokenStatus {
  return { key: key.id, state, expiresAt: msLeft === null ? null : new Date(NOW + msLeft).toISOString(), message };
}

describe('formatTimeLeft', () => {
  it('shows hours and minutes of a fresh 12-hour token, rounded down', () => {
    // UAA's expires_in is 43199 s: just under 12 hours.
    assert.equal(formatTimeLeft(43199 * S), '11h 59m');
    assert.equal(formatTimeLeft(11 * H + 58 * M + 59 * S), '11h 58m');
  });
  it('drops the hours below one hour and says <1m in the last minute', () => {
    assert.equal(formatTimeLeft(H), '1h 0m');
    assert.equal(formatTimeLeft(H - 1), '59m');
    assert.equal(formatTimeLeft(4 * M + 59 * S), '4m');
    assert.equal(formatTimeLeft(M), '1m');
    assert.equal(formatTimeLeft(59 * S), '<1m');
    assert.equal(formatTimeLeft(1), '<1m');
  });
  it('says expired at and after the expiry, and for nonsense', () => {
    assert.equal(formatTimeLeft(0), 'expired');
    assert.equal(formatTimeLeft(-5 * M), 'expired');
    assert.equal(formatTimeLeft(Number.NaN), 'expired');
  });
  it('uses days for long-lived tokens', () => {
    assert.equal(formatTimeLeft(24 * H), '1d');
    assert.equal(formatTimeLeft(2 * 24 * H + 3 * H + 10 * M), '2d 3h');
  });
});

describe('nextTickDelay', () => {
  it('fires just after the displayed minute changes', () => {
    // 11h 58m 20s left: the text says 11h 58m until 20 s from now.
    const d = nextTickDelay(11 * H + 58 * M + 20 * S);
    assert.ok(d > 20 * S && d <= 21 * S, `delay ${d}`);
    assert.equal(formatTimeLeft(11 * H + 58 * M + 20 * S - d), '11h 57m');
  });
  it('waits a full minute on an exact boundary and never less than a second', () => {
    assert.ok(nextTickDelay(3 * H) > M - 1 && nextTickDelay(3 * H) <= M + 100);
    assert.ok(nextTickDelay(10) >= S);
  });
  it('fires when the token enters the refresh margin, not up to a minute late', () => {
    // Margin 90 s, 2m 0s left: the margin begins in 30 s, the minute changes in 60 s.
    const d = nextTickDelay(2 * M, 90);
    assert.ok(d > 30 * S && d <= 31 * S, `delay ${d}`);
    assert.equal(effectiveState(status('valid', 2 * M - d), NOW, 90), 'expiring');
  });
  it('ticks once a minute for an expired token', () => {
    assert.equal(nextTickDelay(-1), M);
  });
});

describe('effectiveState and colours', () => {
  it('keeps a valid token valid outside the margin, with no colour', () => {
    assert.equal(effectiveState(status('valid', 2 * H), NOW, 300), 'valid');
    assert.equal(stateColor('valid'), 'none');
  });
  it('turns valid into expiring inside the margin (warning colour) without waiting for the server', () => {
    assert.equal(effectiveState(status('valid', 300 * S), NOW, 300), 'expiring');
    assert.equal(effectiveState(status('valid', 301 * S), NOW, 300), 'valid');
    assert.equal(stateColor('expiring'), 'warning');
  });
  it('turns a token past its expiry into expired (error colour)', () => {
    assert.equal(effectiveState(status('valid', 0), NOW, 300), 'expired');
    assert.equal(effectiveState(status('expiring', -M), NOW, 300), 'expired');
    assert.equal(stateColor('expired'), 'error');
  });
  it('believes a fresh expiry over an old "expiring" from the server', () => {
    assert.equal(effectiveState(status('expiring', 11 * H), NOW, 300), 'valid');
  });
  it('keeps error and missing whatever the clock says; error is red, missing plain', () => {
    assert.equal(effectiveState(status('error', 2 * H, 'boom'), NOW, 300), 'error');
    assert.equal(effectiveState(status('missing', null), NOW, 300), 'missing');
    assert.equal(effectiveState(undefined, NOW, 300), 'missing');
    assert.equal(stateColor('error'), 'error');
    assert.equal(stateColor('missing'), 'none');
  });
  it('treats a negative margin as zero', () => {
    assert.equal(effectiveState(status('valid', S), NOW, -10), 'valid');
  });
});

describe('statusView', () => {
  it('shows the key icon and the time left, and a tooltip with key, zone, API host and expiry', () => {
    process.env.TZ = 'UTC';
    const v = statusView(status('valid', 11 * H + 58 * M + 30 * S), key, NOW, 300);
    assert.equal(v.text, '$(key) DOX 11h 58m');
    assert.equal(v.color, 'none');
    assert.deepEqual(v.tooltip, [
      '**DOX token valid for 11h 58m**',
      'Key: keys/dox-key.json',
      'Zone: mysub-7e4a1c',
      'API: aiservices-trial-dox.cfapps.us10.hana.ondemand.com',
      'Expires: 2026-03-14 20:58',
      'Click to fetch a new token',
    ]);
  });
  it('names when an x509 key\'s certificate expires', () => {
    process.env.TZ = 'UTC';
    const x509 = { ...key, credentialType: 'x509', certificateExpiresAt: '2026-03-16T09:00:00Z' };
    const v = statusView(status('valid', 11 * H), x509, NOW, 300);
    assert.ok(v.tooltip.includes('Certificate expires: 2026-03-16 09:00'), v.tooltip.join(' | '));
  });
  it('shows the warning colour and "expires in" inside the margin', () => {
    const v = statusView(status('valid', 4 * M + 10 * S), key, NOW, 300);
    assert.equal(v.text, '$(key) DOX 4m');
    assert.equal(v.color, 'warning');
    assert.equal(v.tooltip[0], '**DOX token expires in 4m**');
  });
  it('shows expired in the error colour', () => {
    const v = statusView(status('valid', -M), key, NOW, 300);
    assert.equal(v.text, '$(key) DOX expired');
    assert.equal(v.color, 'error');
    assert.ok(v.tooltip.some((l) => l.startsWith('Expired: ')));
  });
  it('shows a failure in the error colour with the server message in the tooltip', () => {
    const v = statusView(status('error', null, 'the client id or secret of keys/dox-key.json is wrong (401 Bad credentials)'), key, NOW, 300);
    assert.equal(v.text, '$(key) DOX error');
    assert.equal(v.color, 'error');
    assert.equal(v.tooltip[1], 'the client id or secret of keys/dox-key.json is wrong (401 Bad credentials)');
  });
  it('escapes markdown in server text so a message cannot inject links', () => {
    const v = statusView(status('error', null, 'bad [x](command:dox.clearToken) *y*'), key, NOW, 300);
    assert.equal(v.tooltip[1], 'bad \\[x\\](command:dox.clearToken) \\*y\\*');
  });
  it('invites a click when there is no token or no key yet', () => {
    const none = statusView(undefined, undefined, NOW, 300);
    assert.equal(none.text, '$(key) DOX');
    assert.equal(none.color, 'none');
    assert.deepEqual(none.tooltip, ['**No DOX token yet**', 'Key: none found (DOX: Select Service Key)', 'Click to get a token']);
    const cleared = statusView(status('missing', null), key, NOW, 300);
    assert.equal(cleared.text, '$(key) DOX');
    assert.equal(cleared.tooltip.at(-1), 'Click to get a token');
  });
});

describe('formatClock', () => {
  it('prints local date and time to the minute', () => {
    process.env.TZ = 'UTC';
    assert.equal(formatClock(new Date('2026-01-02T03:04:59Z')), '2026-01-02 03:04');
  });
});
