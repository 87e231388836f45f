// Server binary lookup without VS Code: dox.server.path, then the binary
// shipped in the extension, then doxls on PATH; each checked with
// "doxls version" before it is used. Paths are built with the rules of the
// platform asked about (path.win32 for win32), so that every platform's
// shapes can be tested on any machine.

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
  /** Whether a path is an executable file; the real check when omitted. */
  isExecutable?: (p: string) => boolean;
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

/**
 * The server's file name: on Windows only doxls.exe, since Node runs a
 * .cmd or .bat only through a shell, and PATHEXT's other entries are such
 * scripts.
 */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'doxls.exe' : 'doxls';
}

/** Path rules of platform, whatever machine this runs on. */
export function pathRules(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The server a platform-specific .vsix carries: server/doxls(.exe). */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathRules(platform).join(extensionPath, 'server', binaryName(platform));
}

export function expandHome(p: string, home = homedir(), platform: NodeJS.Platform = process.platform): string {
  if (p === '~') {
    return home;
  }
  if (p.startsWith('~/') || (platform === 'win32' && p.startsWith('~\\'))) {
    return pathRules(platform).join(home, p.slice(2));
  }
  return p;
}

export function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
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

/**
 * The first executable `name` in the PATH folders, or undefined. Windows
 * separates them with ';' and may quote one ("C:\Program Files\doxls").
 */
export function searchPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform,
  isExecutable = (p: string) => isExecutableFile(p, platform),
): string | undefined {
  const sep = platform === 'win32' ? ';' : ':';
  for (let dir of pathEnv.split(sep)) {
    if (platform === 'win32') {
      dir = dir.replace(/"/g, '');
    }
    if (dir === '') {
      continue;
    }
    const candidate = pathRules(platform).join(dir, name);
    if (isExecutable(candidate)) {
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
  const isExecutable = input.isExecutable ?? ((p: string) => isExecutableFile(p, input.platform));
  const configured = input.configured.trim();
  if (configured !== '') {
    const p = pathRules(input.platform).resolve(expandHome(configured, input.home, input.platform));
    if (!isExecutable(p)) {
      throw new ServerNotFoundError(`dox.server.path is "${configured}", but there is no executable file at ${p}.`, true);
    }
    try {
      return { path: p, version: await probe(p), source: 'setting' };
    } catch (err) {
      throw new ServerNotFoundError(`dox.server.path "${configured}" does not work: ${reason(err)}.`, true);
    }
  }
  const problems: string[] = [];
  const bundled = bundledPath(input.extensionPath, input.platform);
  if (isExecutable(bundled)) {
    try {
      return { path: bundled, version: await probe(bundled), source: 'bundled' };
    } catch (err) {
      problems.push(`the bundled ${bundled} does not work: ${reason(err)}`);
    }
  }
  const onPath = searchPath(name, input.pathEnv, input.platform, isExecutable);
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
