import * as fs from 'node:fs';
import * as path from 'node:path';

// Settings mapping without VS Code: the dox.* settings become the flat
// initializationOptions object the server reads (DESIGN §5).

export type InsertMode = 'header' | 'variable' | 'envFile';
export type EnvFileFormat = 'json' | 'dotenv';

/** The server's settings, as sent in initializationOptions. */
export interface ServerSettings {
  serviceKey?: string;
  refreshMarginSeconds: number;
  autoRefresh: boolean;
  insertMode: InsertMode;
  variableName: string;
  envName: string;
  envFileFormat: EnvFileFormat;
  extraHosts: string[];
  timeoutSeconds: number;
  /** Warn this many days before an x509 key's certificate expires; 0: never. */
  certificateWarningDays: number;
}

export const DEFAULTS: Readonly<ServerSettings> = Object.freeze({
  refreshMarginSeconds: 300,
  autoRefresh: true,
  insertMode: 'header',
  variableName: 'doxToken',
  envName: 'dev',
  envFileFormat: 'json',
  extraHosts: [],
  timeoutSeconds: 30,
  certificateWarningDays: 2,
});

/** Reads one setting below "dox." (e.g. "refreshMarginSeconds"); undefined when unset. */
export type SettingGetter = (name: string) => unknown;

function wholeSeconds(v: unknown, fallback: number, min: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return fallback;
  }
  return Math.max(min, Math.floor(n));
}

function nonNegative(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, n) : fallback;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(v as T) ? (v as T) : fallback;
}

/**
 * The initializationOptions for the server. Values a user could mistype in
 * settings.json (a number as a string, a negative margin, blanks in a host
 * list) are normalised here rather than rejected by the server at start.
 */
export function serverSettings(get: SettingGetter): ServerSettings {
  const out: ServerSettings = {
    refreshMarginSeconds: wholeSeconds(get('refreshMarginSeconds'), DEFAULTS.refreshMarginSeconds, 0),
    autoRefresh: typeof get('autoRefresh') === 'boolean' ? (get('autoRefresh') as boolean) : DEFAULTS.autoRefresh,
    insertMode: oneOf(get('insertMode'), ['header', 'variable', 'envFile'], DEFAULTS.insertMode),
    variableName: DEFAULTS.variableName,
    envName: DEFAULTS.envName,
    envFileFormat: oneOf(get('envFileFormat'), ['json', 'dotenv'], DEFAULTS.envFileFormat),
    extraHosts: [],
    timeoutSeconds: wholeSeconds(get('timeoutSeconds'), DEFAULTS.timeoutSeconds, 1),
    certificateWarningDays: nonNegative(get('certificateWarningDays'), DEFAULTS.certificateWarningDays),
  };
  const key = get('serviceKey');
  if (typeof key === 'string' && key.trim() !== '') {
    out.serviceKey = key.trim();
  }
  const name = get('variableName');
  if (typeof name === 'string' && name.trim() !== '') {
    out.variableName = name.trim().replace(/^@/, '');
  }
  const env = get('envName');
  if (typeof env === 'string' && env.trim() !== '') {
    out.envName = env.trim();
  }
  const hosts = get('extraHosts');
  if (Array.isArray(hosts)) {
    out.extraHosts = hosts.filter((h): h is string => typeof h === 'string').map((h) => h.trim()).filter((h) => h !== '');
  } else if (typeof hosts === 'string' && hosts.trim() !== '') {
    out.extraHosts = hosts.split(',').map((h) => h.trim()).filter((h) => h !== '');
  }
  return out;
}

/** The refresh margin the status bar uses, read the same way as the server's. */
export function refreshMarginSeconds(get: SettingGetter): number {
  return serverSettings(get).refreshMarginSeconds;
}

/**
 * `file` relative to `folder` (with forward slashes) when it lies inside it,
 * else `file` unchanged: how a key path goes into dox.serviceKey.
 */
export function relativeInside(folder: string, file: string, p: typeof path = path): string {
  const rel = p.relative(folder, file);
  if (rel === '' || rel.startsWith('..') || p.isAbsolute(rel)) {
    return file;
  }
  return rel.split(p.sep).join('/');
}

/**
 * Whether an executable named `name` is on PATH (with PATHEXT on Windows):
 * the key picker offers Cloud Foundry keys only when cf is installed.
 */
export function onPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = fs.existsSync,
  p: typeof path = path,
  windows = process.platform === 'win32',
): boolean {
  const dirs = (env.PATH ?? env.Path ?? '').split(p.delimiter).filter((d) => d !== '');
  const exts = windows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter((e) => e !== '') : [''];
  return dirs.some((d) => exts.some((e) => exists(p.join(d, name + e))));
}
