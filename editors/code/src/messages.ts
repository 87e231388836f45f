// Texts the extension shows for command results, without VS Code.

import { formatClock, formatTimeLeft, hostOf, type KeyInfo } from './status';

export interface LoadServiceKeyResult {
  keys: KeyInfo[];
  active?: string | null;
  /** Key files that failed to parse at discovery, one line each. */
  problems?: string[];
}

export interface GetTokenResult {
  key: string;
  accessToken: string;
  tokenType?: string;
  expiresAt: string;
  expiresIn?: number;
  scope?: string;
  fromCache?: boolean;
}

export interface Skipped {
  line: number;
  reason: string;
}

export interface InsertBearerResult {
  edited: number;
  skipped?: Skipped[];
}

export interface RefreshBearersResult {
  edited: number;
  documents: number;
}

export interface TokenInfoResult {
  clientId?: string;
  zoneId?: string;
  scopes?: string[];
  issuedAt?: string;
  expiresAt?: string;
  issuer?: string;
  grantType?: string;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Text of the "Get DOX token" notification. */
export function tokenMessage(r: GetTokenResult, now: number): string {
  const left = formatTimeLeft(Date.parse(r.expiresAt) - now);
  const cached = r.fromCache ? ' (cached)' : '';
  return `DOX token for ${r.key} is valid for ${left}${cached}.`;
}

/** Summary of one or more doxls.insertBearer results; `level` says how to show it. */
export function insertSummary(results: InsertBearerResult[]): { level: 'info' | 'warning'; text: string } {
  const edited = results.reduce((n, r) => n + (r.edited ?? 0), 0);
  const skipped = results.flatMap((r) => r.skipped ?? []);
  const reasons = skipped.map((s) => `line ${s.line + 1}: ${s.reason}`).join('; ');
  if (edited > 0) {
    const text = `DOX token written (${plural(edited, 'edit')}).`;
    return skipped.length > 0 ? { level: 'warning', text: `${text} Skipped ${reasons}.` } : { level: 'info', text };
  }
  if (skipped.length > 0) {
    return { level: 'warning', text: `No DOX token written: skipped ${reasons}.` };
  }
  return { level: 'info', text: 'The Bearer headers already carry the current DOX token.' };
}

export function refreshSummary(r: RefreshBearersResult): string {
  if (r.edited === 0) {
    return 'Every Bearer header already carries the current DOX token.';
  }
  return `Refreshed ${plural(r.edited, 'Bearer token')} in ${plural(r.documents, 'document')}.`;
}

export interface KeyPick {
  label: string;
  description: string;
  detail: string;
  key: KeyInfo;
  active: boolean;
}

/** Quick pick entries for doxls.loadServiceKey: the key id, its zone and API host. */
export function keyPicks(r: LoadServiceKeyResult): KeyPick[] {
  return (r.keys ?? []).map((k) => {
    const active = k.id === r.active;
    const parts = [k.identityZone ? `zone ${k.identityZone}` : 'no zone', hostOf(k.apiUrl) ?? 'no API URL'];
    const cert = k.certificateExpiresAt ? Date.parse(k.certificateExpiresAt) : NaN;
    const detail = [
      k.clientId ? `client ${k.clientId}` : undefined,
      k.credentialType,
      Number.isNaN(cert) ? undefined : `certificate until ${formatClock(new Date(cert))}`,
    ]
      .filter(Boolean)
      .join(' · ');
    return {
      label: `${active ? '$(check) ' : ''}${k.id}`,
      description: parts.join(' · '),
      detail,
      key: k,
      active,
    };
  });
}

function when(iso: string | undefined, now: number): string {
  if (!iso) {
    return '—';
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return iso;
  }
  const left = t - now;
  const rel = left > 0 ? `in ${formatTimeLeft(left)}` : -left < 60_000 ? 'just now' : `${formatTimeLeft(-left)} ago`;
  return `${formatClock(new Date(t))} (${rel})`;
}

/**
 * Markdown for "DOX: Show Token Details", readable as source too. Never
 * contains the token. `certificateExpiresAt` is the x509 key's, if any.
 */
export function tokenDetailsMarkdown(info: TokenInfoResult, key: string | undefined, now: number, certificateExpiresAt?: string): string {
  const rows: [string, string][] = [
    ['Key', key ?? '—'],
    ...(certificateExpiresAt ? [['Certificate expires', when(certificateExpiresAt, now)] as [string, string]] : []),
    ['Client id', info.clientId ?? '—'],
    ['Identity zone', info.zoneId ?? '—'],
    ['Grant type', info.grantType ?? '—'],
    ['Issuer', info.issuer ?? '—'],
    ['Issued', when(info.issuedAt, now)],
    ['Expires', when(info.expiresAt, now)],
  ];
  const scopes = info.scopes ?? [];
  const oneLine = (v: string) => v.replace(/\r?\n/g, ' ');
  return [
    '# DOX token',
    '',
    ...rows.map(([k, v]) => `- **${k}:** ${oneLine(v)}`),
    '',
    `## Scopes (${scopes.length})`,
    '',
    ...(scopes.length > 0 ? scopes.map((s) => `- ${oneLine(s)}`) : ['none']),
    '',
  ].join('\n');
}

/** The environment file that got the token (doxls.newRequestFile in envFile mode). */
export interface EnvFileResult {
  path: string;
  env?: string;
  changed?: boolean;
  created?: boolean;
  /** The .gitignore the new environment file was added to. */
  ignoredIn?: string;
  /** The file holds the token and git does not ignore it. */
  warning?: string;
}

export interface NewRequestFileResult {
  uri: string;
  env?: EnvFileResult;
}

/**
 * What to tell the user after "DOX: New Request File". `label` turns a
 * path or URI into the short form shown (relative to the workspace).
 */
export function newFileSummary(r: NewRequestFileResult, label: (pathOrUri: string) => string): { level: 'info' | 'warning'; text: string } {
  let text = `Created ${label(r.uri)}.`;
  const env = r.env;
  if (!env) {
    return { level: 'info', text };
  }
  text += ` The token is in ${label(env.path)}${env.env ? ` (environment ${env.env})` : ''}.`;
  if (env.ignoredIn) {
    text += ` Added it to ${label(env.ignoredIn)}.`;
  }
  return env.warning ? { level: 'warning', text: `${text} ${env.warning}` } : { level: 'info', text };
}

/**
 * The Swagger UI to open for "DOX: Open Swagger UI": the active key's
 * swaggerUrl (the server's active key, else `fallbackKey`), or the one line
 * that says why there is none. Only http(s) URLs qualify: the value comes from
 * a key file, and openExternal would hand any scheme to the system.
 */
export function swaggerTarget(r: LoadServiceKeyResult, fallbackKey?: string): { key: string; url: string } | { problem: string } {
  const keys = r.keys ?? [];
  if (keys.length === 0) {
    return { problem: 'No service key found: choose one with "DOX: Select Service Key".' };
  }
  const id = r.active ?? fallbackKey;
  const key = keys.find((k) => k.id === id);
  if (!key) {
    return { problem: 'No active service key: choose one with "DOX: Select Service Key".' };
  }
  const url = (key.swaggerUrl ?? '').trim();
  if (url === '') {
    return { problem: `The service key ${key.id} names no Swagger UI (it has no tenantuiurl and swagger fields).` };
  }
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    scheme = '';
  }
  if (scheme !== 'https:' && scheme !== 'http:') {
    return { problem: `The Swagger UI address of ${key.id} is not an http(s) URL: ${url.slice(0, 80)}` };
  }
  return { key: key.id, url };
}

/** A header field doxls.waitForJob returns (the DOX API's extraction.headerFields). */
export interface ExtractedField {
  name: string;
  value: unknown;
  confidence?: number;
  page?: number;
  type?: string;
  category?: string;
}

/** The answer of doxls.waitForJob. */
export interface WaitForJobResult {
  id: string;
  status: string;
  documentType?: string;
  fields: ExtractedField[];
}

/** A table cell: one line, no column break. */
function cell(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');
}

/** Markdown of a DOX job's extracted header fields, for the read-only job view. */
export function jobMarkdown(r: WaitForJobResult): string {
  const lines = [`# DOX job ${cell(r.id)}`, '', `Status: **${cell(r.status)}**` + (r.documentType ? ` · document type \`${cell(r.documentType)}\`` : ''), ''];
  if (r.fields.length === 0) {
    lines.push('No header fields were extracted.');
  } else {
    lines.push('| field | value | confidence | page |', '|---|---|---:|---:|');
    for (const f of r.fields) {
      const confidence = typeof f.confidence === 'number' ? `${Math.round(f.confidence * 100)}%` : '';
      lines.push(`| ${cell(f.name)} | ${cell(f.value)} | ${confidence} | ${f.page ?? ''} |`);
    }
  }
  return lines.join('\n') + '\n';
}
