// The doxls protocol as the extension uses it (docs/protocol.md): the
// dox/tokenStatus notification, the server's command ids and the shapes of
// their arguments and results. Every call to the server is typed through this
// module; nothing here imports "vscode", so the unit tests use it too.

import { NotificationType } from 'vscode-languageserver-protocol';

export type TokenState = 'valid' | 'expiring' | 'expired' | 'missing' | 'error';

/** The params of dox/tokenStatus. */
export interface TokenStatus {
  key: string;
  state: TokenState;
  /** RFC 3339; null when there is no token. */
  expiresAt: string | null;
  message?: string;
}

/** Server → client: a key's token was fetched, refreshed, cleared, or failed, or it enters the margin or expires. */
export const tokenStatus = new NotificationType<TokenStatus>('dox/tokenStatus');

/** A key entry of doxls.loadServiceKey (and `doxls keys --json`); never a secret. */
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
  /** x509 keys: the end of the certificate's validity (RFC 3339). */
  certificateExpiresAt?: string;
}

export interface LoadServiceKeyArgs {
  /** A file path, file:// URI or cf:INSTANCE/KEY; it becomes the active key. */
  path?: string;
  /** Makes a known key active. */
  key?: string;
}

export interface LoadServiceKeyResult {
  keys: KeyInfo[];
  active?: string | null;
  /** Key files that failed to parse at discovery, one line each. */
  problems?: string[];
}

export interface GetTokenArgs {
  key?: string;
  forceRefresh?: boolean;
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

export interface InsertBearerArgs {
  uri: string;
  /** 0-based, any line of a request; omitted: every request of the document. */
  line?: number;
}

export interface Skipped {
  line: number;
  reason: string;
}

/** The environment file that got the token (envFile mode). */
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

export interface InsertBearerResult {
  edited: number;
  skipped?: Skipped[];
  envFile?: EnvFileResult;
}

export interface RefreshBearersArgs {
  uris?: string[];
  forceRefresh?: boolean;
}

export interface RefreshBearersResult {
  edited: number;
  documents: number;
}

export type TokenInfoArgs = { key?: string } | { token: string };

export interface TokenInfoResult {
  clientId?: string;
  zoneId?: string;
  scopes?: string[];
  issuedAt?: string;
  expiresAt?: string;
  issuer?: string;
  grantType?: string;
}

export interface ClearTokenArgs {
  key?: string;
}

export interface ClearTokenResult {
  cleared: number;
}

export interface NewRequestFileArgs {
  /** A path or URI; omitted: the first workspace folder. */
  folder?: string;
  key?: string;
  /** Default dox.http. */
  name?: string;
}

export interface NewRequestFileResult {
  uri: string;
  env?: EnvFileResult;
}

export interface MoveTokensToEnvFileArgs {
  uri: string;
}

export interface IgnoreFileArgs {
  path?: string;
  uri?: string;
  untrack?: boolean;
}

export interface IgnoreFileResult {
  gitignore: string;
  pattern: string;
  untracked: boolean;
  stillTracked: boolean;
}

/** A DOX service key of the current cf target, as doxls.cfServiceKeys lists it. */
export interface CFKeyEntry {
  /** cf:INSTANCE/KEY, for doxls.loadServiceKey {"path"}. */
  id: string;
  instance: string;
  key: string;
}

export interface CFServiceKeysResult {
  keys: CFKeyEntry[];
}

/** doxls.waitForJob: a job by its id, or the job of the request line of a document. */
export type WaitForJobArgs = { id: string } | { uri: string; line: number };

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

/** Each server command: [arguments, result]. */
export interface Commands {
  'doxls.loadServiceKey': [LoadServiceKeyArgs, LoadServiceKeyResult];
  'doxls.getToken': [GetTokenArgs, GetTokenResult];
  'doxls.insertBearer': [InsertBearerArgs, InsertBearerResult];
  'doxls.refreshBearers': [RefreshBearersArgs, RefreshBearersResult];
  'doxls.tokenInfo': [TokenInfoArgs, TokenInfoResult];
  'doxls.clearToken': [ClearTokenArgs, ClearTokenResult];
  'doxls.newRequestFile': [NewRequestFileArgs, NewRequestFileResult];
  'doxls.moveTokensToEnvFile': [MoveTokensToEnvFileArgs, InsertBearerResult];
  'doxls.ignoreFile': [IgnoreFileArgs, IgnoreFileResult];
  'doxls.waitForJob': [WaitForJobArgs, WaitForJobResult];
  /** Not in executeCommandProvider: key pickers call it. */
  'doxls.cfServiceKeys': [Record<string, never>, CFServiceKeysResult];
}

export type CommandId = keyof Commands;
export type ArgsOf<C extends CommandId> = Commands[C][0];
export type ResultOf<C extends CommandId> = Commands[C][1];

