// Server binary lookup without VS Code: dox.server.path, then the binary
// shipped in the extension, then doxls on PATH; each checked with
// "doxls version" before it is used.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export type ServerSource = 'setting' | 'bundled' | 'PATH';

export interface ServerBinary {
  path: string;
  /** The first line "doxls version" printed, e.g. "doxls 0.1.0". */
  version: string;
  source: ServerSource;
}

export interface LookupInput {
  /** The dox.server.path setting (may be empty, may start with ~). */
  configured: string;
  /** The extension's install folder. */
  extensionPath: string;
  /** The PATH environment variable. */
  pathEnv: string;
  platform: NodeJS.Platform;
  home?: string;
}

/** Runs "<path> version" and returns its first line, or throws with the reason. */
export type Probe = (binary: string) => Promise<string>;

/** The lookup failed; `message` is one line for the user. */
export class ServerNotFoundError extends Error {
  constructor(
    message: string,
    /** True when the dox.server.path setting is the thing to fix. */
    readonly settingAtFault: boolean,
  ) {
    super(message);
    this.name = 'ServerNotFoundError';
  }
}

export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'doxls.exe' : 'doxls';
}

export function expandHome(p: string, home = homedir()): string {
  if (p === '~') {
    return home;
  }
  if (p.startsWith('~/') || p.startsWith('~\\')) {
    return path.join(home, p.slice(2));
  }
  return p;
}

function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(p).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      accessSync(p, constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in the PATH folders, or undefined. */
export function searchPath(name: string, pathEnv: string, platform: NodeJS.Platform): string | undefined {
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of pathEnv.split(sep)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate, platform)) {
      return candidate;
    }
  }
  return undefined;
}

/** Probe that runs "<binary> version" with a timeout. */
export function versionProbe(timeoutMs = 5_000): Probe {
  return (binary) =>
    new Promise((resolve, reject) => {
      execFile(binary, ['version'], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
        const first = (s: string) => s.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          if (e.killed) {
            reject(new Error(`"version" did not answer within ${timeoutMs / 1000}s`));
          } else if (typeof e.code === 'string') {
            reject(new Error(e.code === 'EACCES' ? 'it is not executable' : `it cannot be run (${e.code})`));
          } else {
            reject(new Error(first(stderr) || `"version" exited with status ${String(e.code)}`));
          }
          return;
        }
        const line = first(stdout);
        if (!line.startsWith('doxls ')) {
          reject(new Error(`"version" printed ${JSON.stringify(line.slice(0, 60))}, not "doxls <version>"`));
          return;
        }
        resolve(line);
      });
    });
}

/**
 * Finds the server. A configured path is the only candidate when set: a user
 * who names a binary wants that one, and silently running another would hide
 * their mistake. Otherwise the bundled binary, then PATH; a broken bundled
 * binary (e.g. another platform's build) falls through to PATH.
 */
export async function findServer(input: LookupInput, probe: Probe): Promise<ServerBinary> {
  const name = binaryName(input.platform);
  const configured = input.configured.trim();
  if (configured !== '') {
    const p = path.resolve(expandHome(configured, input.home));
    if (!isExecutableFile(p, input.platform)) {
      throw new ServerNotFoundError(`dox.server.path is "${configured}", but there is no executable file at ${p}.`, true);
    }
    try {
      return { path: p, version: await probe(p), source: 'setting' };
    } catch (err) {
      throw new ServerNotFoundError(`dox.server.path "${configured}" does not work: ${reason(err)}.`, true);
    }
  }
  const problems: string[] = [];
  const bundled = path.join(input.extensionPath, 'server', name);
  if (isExecutableFile(bundled, input.platform)) {
    try {
      return { path: bundled, version: await probe(bundled), source: 'bundled' };
    } catch (err) {
      problems.push(`the bundled ${bundled} does not work: ${reason(err)}`);
    }
  }
  const onPath = searchPath(name, input.pathEnv, input.platform);
  if (onPath) {
    try {
      return { path: onPath, version: await probe(onPath), source: 'PATH' };
    } catch (err) {
      problems.push(`${onPath} (from PATH) does not work: ${reason(err)}`);
    }
  }
  if (problems.length === 0) {
    throw new ServerNotFoundError(
      `The doxls server was not found: this extension has no bundled binary and there is no ${name} on PATH. Install doxls or set dox.server.path.`,
      false,
    );
  }
  throw new ServerNotFoundError(`The doxls server cannot start: ${problems.join('; ')}. Set dox.server.path to a working doxls.`, false);
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').replace(/[.\s]+$/, '');
}
