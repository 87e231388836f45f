// Status bar logic without VS Code: what the DOX item shows for a token
// status from the server's dox/tokenStatus notification at a given moment.

export type TokenState = 'valid' | 'expiring' | 'expired' | 'missing' | 'error';

/** The params of the server's dox/tokenStatus notification (DESIGN §5). */
export interface TokenStatus {
  key: string;
  state: TokenState;
  expiresAt: string | null;
  message?: string;
}

/** What the client knows about a key from doxls.loadServiceKey. */
export interface KeyInfo {
  id: string;
  path?: string;
  uaaUrl?: string;
  clientId?: string;
  apiUrl?: string;
  credentialType?: string;
  identityZone?: string;
  /** The key's Swagger UI (tenantuiurl + swagger), when the key names one. */
  swaggerUrl?: string;
  /** End of validity of an x509 key's client certificate (RFC 3339). */
  certificateExpiresAt?: string;
}

export type StatusColor = 'none' | 'warning' | 'error';

export interface StatusView {
  /** The state after applying the clock: a "valid" token past its expiry is "expired". */
  state: TokenState;
  text: string;
  color: StatusColor;
  /** Markdown lines of the tooltip. */
  tooltip: string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Time left as the status bar shows it: "11h 58m", "42m", "<1m", "2d 3h".
 * Minutes are rounded down, so the text never promises more than is left.
 */
export function formatTimeLeft(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) {
    return 'expired';
  }
  if (ms < MINUTE) {
    return '<1m';
  }
  if (ms >= DAY) {
    const d = Math.floor(ms / DAY);
    const h = Math.floor((ms % DAY) / HOUR);
    return h > 0 ? `${d}d ${h}h` : `${d}d`;
  }
  const h = Math.floor(ms / HOUR);
  const m = Math.floor((ms % HOUR) / MINUTE);
  return h > 0 ? `${h}h ${m}m` : `${m}m`;
}

/**
 * Milliseconds until the item must be drawn again: the next whole-minute
 * boundary of the time left (when formatTimeLeft changes its text) or the
 * moment the token enters the refresh margin, whichever comes first; plus a
 * little, so the change has happened when the timer fires.
 */
export function nextTickDelay(msLeft: number, marginSeconds = 0): number {
  if (!Number.isFinite(msLeft) || msLeft <= 0) {
    return MINUTE;
  }
  const intoMinute = msLeft % MINUTE;
  let delay = intoMinute === 0 ? MINUTE : intoMinute;
  const untilMargin = msLeft - Math.max(0, marginSeconds) * 1000;
  if (untilMargin > 0) {
    delay = Math.min(delay, untilMargin);
  }
  return Math.min(Math.max(delay + 50, 1_000), MINUTE + 50);
}

/** "2026-05-01 14:32" in local time. */
export function formatClock(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`;
}

/** Host (and port) of a URL, or the text itself when it is not a URL. */
export function hostOf(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function parseTime(s: string | null | undefined): number | undefined {
  if (!s) {
    return undefined;
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The state shown at `now`: the server's state, corrected by the clock so the
 * item does not wait for a notification to turn yellow or red.
 */
export function effectiveState(status: TokenStatus | undefined, now: number, marginSeconds: number): TokenState {
  if (!status) {
    return 'missing';
  }
  if (status.state === 'error' || status.state === 'missing') {
    return status.state;
  }
  const exp = parseTime(status.expiresAt);
  if (exp === undefined) {
    return status.state;
  }
  const left = exp - now;
  if (left <= 0) {
    return 'expired';
  }
  if (left <= Math.max(0, marginSeconds) * 1000) {
    return 'expiring';
  }
  return 'valid';
}

const COLORS: Record<TokenState, StatusColor> = {
  valid: 'none',
  expiring: 'warning',
  expired: 'error',
  missing: 'none',
  error: 'error',
};

/** Colour of a state: warning inside the refresh margin, error when expired or failing. */
export function stateColor(state: TokenState): StatusColor {
  return COLORS[state];
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`);
}

/** Everything the status bar item shows for `status` of `key` at `now`. */
export function statusView(
  status: TokenStatus | undefined,
  key: KeyInfo | undefined,
  now: number,
  marginSeconds: number,
): StatusView {
  const state = effectiveState(status, now, marginSeconds);
  const exp = parseTime(status?.expiresAt);
  let text: string;
  let headline: string;
  switch (state) {
    case 'valid':
    case 'expiring':
      if (exp === undefined) {
        text = '$(key) DOX';
        headline = 'DOX token ready';
      } else {
        const left = formatTimeLeft(exp - now);
        text = `$(key) DOX ${left}`;
        headline = state === 'expiring' ? `DOX token expires in ${left}` : `DOX token valid for ${left}`;
      }
      break;
    case 'expired':
      text = '$(key) DOX expired';
      headline = 'DOX token expired';
      break;
    case 'error':
      text = '$(key) DOX error';
      headline = 'DOX token fetch failed';
      break;
    default:
      text = '$(key) DOX';
      headline = 'No DOX token yet';
  }
  const tooltip = [`**${headline}**`];
  if (state === 'error' && status?.message) {
    tooltip.push(escapeMarkdown(status.message));
  }
  const keyId = key?.id ?? status?.key;
  tooltip.push(keyId ? `Key: ${escapeMarkdown(keyId)}` : 'Key: none found (DOX: Select Service Key)');
  if (key?.identityZone) {
    tooltip.push(`Zone: ${escapeMarkdown(key.identityZone)}`);
  }
  const api = hostOf(key?.apiUrl);
  if (api) {
    tooltip.push(`API: ${escapeMarkdown(api)}`);
  }
  if (exp !== undefined && state !== 'missing') {
    tooltip.push(`${state === 'expired' ? 'Expired' : 'Expires'}: ${formatClock(new Date(exp))}`);
  }
  const cert = parseTime(key?.certificateExpiresAt);
  if (cert !== undefined) {
    tooltip.push(`Certificate ${cert > now ? 'expires' : 'expired'}: ${formatClock(new Date(cert))}`);
  }
  tooltip.push(state === 'missing' ? 'Click to get a token' : 'Click to fetch a new token');
  return { state, text, color: stateColor(state), tooltip };
}
