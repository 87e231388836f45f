// The palette commands (dox.*), each calling one or more doxls.* server
// commands (DESIGN §5) and telling the user the outcome in one message.

import * as vscode from 'vscode';
import {
  insertSummary,
  keyPicks,
  newFileSummary,
  refreshSummary,
  swaggerTarget,
  tokenDetailsMarkdown,
  tokenMessage,
  type GetTokenResult,
  type InsertBearerResult,
  type LoadServiceKeyResult,
  type NewRequestFileResult,
  type RefreshBearersResult,
  type TokenInfoResult,
} from './messages';
import { requestBlocks, targetLines } from './requests';
import { onPath, relativeInside } from './settings';
import { showCommandError, type DoxServer } from './server';
import type { DoxStatusBar } from './statusBar';

const SELECTED_KEY = 'dox.selectedKeyPath';
const DETAILS_SCHEME = 'dox-token';

export class DoxCommands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly details = new Map<string, string>();
  private readonly detailsChanged = new vscode.EventEmitter<vscode.Uri>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: DoxServer,
    private readonly status: DoxStatusBar,
  ) {
    const reg = (id: string, fn: (...args: unknown[]) => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    reg('dox.getToken', () => this.getToken());
    reg('dox.refreshToken', () => this.refreshToken());
    reg('dox.insertBearer', (uri) => this.insertBearer(uri instanceof vscode.Uri ? uri : undefined, false));
    reg('dox.insertBearerFile', (uri) => this.insertBearer(uri instanceof vscode.Uri ? uri : undefined, true));
    reg('dox.refreshBearers', () => this.refreshBearers());
    reg('dox.selectServiceKey', () => this.selectServiceKey());
    reg('dox.showTokenDetails', () => this.showTokenDetails());
    reg('dox.clearToken', () => this.clearToken());
    reg('dox.restartServer', () => this.restartServer());
    reg('dox.newRequestFile', () => this.newRequestFile());
    reg('dox.openSwagger', () => this.openSwagger());
    // The server's quick fixes run these; it does not list them among its
    // commands, so the client library does not register them for us.
    for (const id of ['doxls.moveTokensToEnvFile', 'doxls.ignoreFile']) {
      reg(id, (arg) => this.quickFix(id, arg));
    }
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, {
        onDidChange: this.detailsChanged.event,
        provideTextDocumentContent: (uri) => this.details.get(uri.toString()) ?? '',
      }),
      this.detailsChanged,
    );
  }

  private async quickFix(id: string, arg: unknown): Promise<void> {
    try {
      await this.server.execute(id, typeof arg === 'object' && arg !== null ? arg : undefined);
    } catch (err) {
      await showCommandError(err);
    }
  }

  private keyArgs(extra: object = {}): object {
    const key = this.status.activeKey;
    return key === undefined ? extra : { key, ...extra };
  }

  /** Fetches the token of `key` (default: the server's active key). */
  private async fetchToken(forceRefresh: boolean, key?: string): Promise<GetTokenResult> {
    const args = { ...(key === undefined ? {} : { key }), ...(forceRefresh ? { forceRefresh } : {}) };
    // The server reports the fetch as work-done progress in the status bar.
    const r = await this.server.execute<GetTokenResult>('doxls.getToken', Object.keys(args).length > 0 ? args : undefined);
    // The server also notifies, but a cached token may come without one.
    this.status.update({ key: r.key, state: 'valid', expiresAt: r.expiresAt });
    return r;
  }

  private async tokenFailed(err: unknown): Promise<void> {
    const pick = await showCommandError(err, 'Select Service Key');
    if (pick) {
      await this.selectServiceKey();
    }
  }

  async getToken(): Promise<void> {
    let r: GetTokenResult;
    try {
      r = await this.fetchToken(false);
    } catch (err) {
      return this.tokenFailed(err);
    }
    const editor = vscode.window.activeTextEditor;
    const canInsert = editor?.document.languageId === 'http';
    const actions = canInsert ? ['Copy token', 'Insert into this file'] : ['Copy token'];
    const pick = await vscode.window.showInformationMessage(tokenMessage(r, Date.now()), ...actions);
    if (pick === 'Copy token') {
      await vscode.env.clipboard.writeText(r.accessToken);
      vscode.window.setStatusBarMessage('$(check) DOX token copied', 4_000);
    } else if (pick === 'Insert into this file' && editor) {
      await this.insertInto(editor.document.uri, ['file']);
    }
  }

  async refreshToken(): Promise<void> {
    try {
      // The key the status bar shows is the one the user clicked.
      const r = await this.fetchToken(true, this.status.activeKey);
      vscode.window.setStatusBarMessage(`$(check) ${tokenMessage(r, Date.now())}`, 4_000);
    } catch (err) {
      await this.tokenFailed(err);
    }
  }

  async insertBearer(uri: vscode.Uri | undefined, wholeFile: boolean): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? editor?.document.uri;
    if (!target) {
      void vscode.window.showWarningMessage('DOX: open a .http file first.');
      return;
    }
    const sameEditor = editor && editor.document.uri.toString() === target.toString();
    if (wholeFile || !sameEditor) {
      return this.insertInto(target, ['file']);
    }
    const lines = targetLines(
      requestBlocks(editor.document.getText()),
      editor.selections.map((s) => ({ startLine: s.start.line, endLine: s.isEmpty ? s.start.line : s.end.line })),
    );
    return this.insertInto(target, lines === 'file' ? ['file'] : lines);
  }

  private async insertInto(uri: vscode.Uri, lines: (number | 'file')[]): Promise<void> {
    const results: InsertBearerResult[] = [];
    try {
      for (const line of lines) {
        const args = line === 'file' ? { uri: this.server.uriOf(uri) } : { uri: this.server.uriOf(uri), line };
        results.push(await this.server.execute<InsertBearerResult>('doxls.insertBearer', args));
      }
    } catch (err) {
      return this.tokenFailed(err);
    }
    const summary = insertSummary(results);
    if (summary.level === 'warning') {
      void vscode.window.showWarningMessage(`DOX: ${summary.text}`);
    } else {
      vscode.window.setStatusBarMessage(`$(check) ${summary.text}`, 5_000);
    }
  }

  async refreshBearers(): Promise<void> {
    try {
      const r = await this.server.execute<RefreshBearersResult>('doxls.refreshBearers');
      vscode.window.setStatusBarMessage(`$(check) DOX: ${refreshSummary(r)}`, 5_000);
    } catch (err) {
      await this.tokenFailed(err);
    }
  }

  /**
   * After dox.serviceKey changed: load the key it names (as the server does
   * on the same change; loading it here too leaves no race between the two),
   * or discover when it was cleared.
   */
  async serviceKeyChanged(): Promise<void> {
    const configured = String(vscode.workspace.getConfiguration('dox').get('serviceKey') ?? '').trim();
    try {
      await this.loadKeys(configured === '' ? undefined : configured);
    } catch (err) {
      await showCommandError(err);
    }
  }

  /** Asks the server for the keys it knows and shows them in the status bar. */
  async loadKeys(path?: string): Promise<LoadServiceKeyResult> {
    const r = await this.server.execute<LoadServiceKeyResult>('doxls.loadServiceKey', path === undefined ? undefined : { path });
    this.status.setKeys(r);
    if ((r.keys ?? []).length > 0) {
      this.status.show();
    }
    return r;
  }

  /** The keys as loadKeys gives them, or undefined once the user was told why not. */
  private async keysOrShowError(): Promise<LoadServiceKeyResult | undefined> {
    try {
      return await this.loadKeys();
    } catch (err) {
      await showCommandError(err);
      return undefined;
    }
  }

  /**
   * After a (re)start: re-select the key the user picked last time in this
   * workspace, unless dox.serviceKey names one, then learn the key list.
   */
  async restoreKey(): Promise<void> {
    const picked = this.context.workspaceState.get<string>(SELECTED_KEY);
    const configured = String(vscode.workspace.getConfiguration('dox').get('serviceKey') ?? '').trim();
    try {
      if (picked && configured === '') {
        try {
          await this.loadKeys(picked);
          return;
        } catch {
          // The file is gone or no longer a key: forget it, discover instead.
          await this.context.workspaceState.update(SELECTED_KEY, undefined);
        }
      }
      await this.loadKeys();
    } catch (err) {
      await showCommandError(err);
    }
  }

  async selectServiceKey(): Promise<void> {
    const r = await this.keysOrShowError();
    if (!r) {
      return;
    }
    type Item = vscode.QuickPickItem & { path?: string; browse?: boolean; cf?: boolean };
    const items: Item[] = keyPicks(r).map((p) => ({
      label: p.label,
      description: p.description,
      detail: p.detail,
      path: p.key.path || p.key.id,
    }));
    for (const problem of r.problems ?? []) {
      items.push({ label: `$(warning) ${problem}`, alwaysShow: true });
    }
    if (items.length > 0) {
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    }
    items.push({ label: '$(folder-opened) Browse…', description: 'a service key file (JSON, or cf service-key output)', browse: true });
    if (onPath('cf')) {
      items.push({ label: '$(cloud) Cloud Foundry…', description: 'a key of a DOX instance in the current cf target, kept in memory only', cf: true });
    }
    const pick = await vscode.window.showQuickPick(items, {
      title: 'DOX: Select Service Key',
      placeHolder: items.length > 1 ? 'Key (zone · API host)' : 'No service key found in this workspace',
      matchOnDescription: true,
    });
    if (!pick || (!pick.path && !pick.browse && !pick.cf)) {
      return;
    }
    let path = pick.cf ? await this.pickCFKey() : pick.path;
    if (pick.browse) {
      const files = await vscode.window.showOpenDialog({
        title: 'DOX service key',
        canSelectMany: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        filters: { 'Service keys': ['json', 'txt'], 'All files': ['*'] },
      });
      if (!files || files.length === 0) {
        return;
      }
      path = files[0].fsPath;
    }
    if (!path) {
      return;
    }
    let active: string | undefined;
    try {
      const loaded = await this.loadKeys(path);
      active = loaded.active ?? undefined;
      await this.remember(path);
      this.status.show();
      vscode.window.setStatusBarMessage(`$(key) DOX: using ${active ?? path}`, 4_000);
    } catch (err) {
      await showCommandError(err);
      return;
    }
    // Fetch at once, so the status bar shows the new key's token and a wrong
    // secret is reported now rather than at the next request.
    try {
      await this.fetchToken(false, active);
    } catch (err) {
      await this.tokenFailed(err);
    }
  }

  /**
   * The DOX keys of the current cf target, listed by the server (it runs
   * cf services and cf service-keys), as cf:INSTANCE/KEY; undefined when the
   * user gave up or was told why there are none.
   */
  private async pickCFKey(): Promise<string | undefined> {
    let keys: { id: string; instance: string; key: string }[];
    try {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'DOX: asking cf for the DOX service keys…' },
        () => this.server.execute<{ keys: { id: string; instance: string; key: string }[] }>('doxls.cfServiceKeys'),
      );
      keys = r.keys ?? [];
    } catch (err) {
      await showCommandError(err);
      return undefined;
    }
    if (keys.length === 0) {
      void vscode.window.showWarningMessage(
        'DOX: no service key of a document-information-extraction instance in the current cf target (cf create-service-key INSTANCE KEY creates one).',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      keys.map((k) => ({ label: k.id, description: `instance ${k.instance} · key ${k.key}`, id: k.id })),
      { title: 'DOX: Service Key from Cloud Foundry', placeHolder: 'Read with cf service-key; never written to disk' },
    );
    return pick?.id;
  }

  /**
   * Keeps the choice across restarts. When dox.serviceKey is set, the server
   * makes that key active at every discovery, so the setting itself changes
   * (at the level where it is set, or the workspace when it comes from the
   * user settings); otherwise the workspace state remembers the path.
   */
  private async remember(path: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('dox');
    const inspect = config.inspect<string>('serviceKey');
    const configured = String(config.get('serviceKey') ?? '').trim();
    if (configured === '') {
      await this.context.workspaceState.update(SELECTED_KEY, path);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const value = folder && !path.startsWith('cf:') ? relativeInside(folder, path) : path;
    const target = inspect?.workspaceFolderValue
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : vscode.workspace.workspaceFolders
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await config.update('serviceKey', value, target);
  }

  async showTokenDetails(): Promise<void> {
    let info: TokenInfoResult;
    try {
      info = await this.server.execute<TokenInfoResult>('doxls.tokenInfo', this.keyArgs());
    } catch (err) {
      await this.tokenFailed(err);
      return;
    }
    const uri = vscode.Uri.from({ scheme: DETAILS_SCHEME, path: '/DOX token.md' });
    const key = this.status.activeKey;
    this.details.set(uri.toString(), tokenDetailsMarkdown(info, key, Date.now(), this.status.keyInfo(key)?.certificateExpiresAt));
    this.detailsChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  async clearToken(): Promise<void> {
    try {
      const r = await this.server.execute<{ cleared: number }>('doxls.clearToken');
      this.status.clearAll();
      vscode.window.setStatusBarMessage(`$(check) DOX: cleared ${r.cleared} token${r.cleared === 1 ? '' : 's'}`, 4_000);
    } catch (err) {
      await showCommandError(err);
    }
  }

  /**
   * A ready-to-run request file for the active key in a workspace folder.
   * VS Code announces resource operations, so the server creates the file
   * through a workspace edit: it exists empty on disk and its text is an
   * unsaved edit. The user asked for a file, so it is saved here.
   */
  async newRequestFile(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showWarningMessage('DOX: open a folder first; the new request file goes into a workspace folder.');
      return;
    }
    const folder =
      folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new DOX request file' });
    if (!folder) {
      return;
    }
    let r: NewRequestFileResult;
    try {
      r = await this.server.execute<NewRequestFileResult>('doxls.newRequestFile', this.keyArgs({ folder: this.server.uriOf(folder.uri) }));
    } catch (err) {
      return this.tokenFailed(err);
    }
    const uri = this.server.codeUri(r.uri);
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (doc.isDirty && !(await doc.save())) {
        throw new Error('saving it failed');
      }
      await vscode.window.showTextDocument(doc, { preview: false });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      void vscode.window.showErrorMessage(`DOX: created ${vscode.workspace.asRelativePath(uri)}, but cannot open it: ${why}`);
      return;
    }
    const label = (p: string) => vscode.workspace.asRelativePath(/^[a-z][\w+.-]*:\/\//i.test(p) ? this.server.codeUri(p) : vscode.Uri.file(p));
    const summary = newFileSummary(r, label);
    if (summary.level === 'warning') {
      void vscode.window.showWarningMessage(`DOX: ${summary.text}`);
    } else {
      vscode.window.setStatusBarMessage(`$(check) DOX: ${summary.text}`, 5_000);
    }
  }

  /** The active key's Swagger UI (swaggerUrl from doxls.loadServiceKey) in the browser. */
  async openSwagger(): Promise<void> {
    const r = await this.keysOrShowError();
    if (!r) {
      return;
    }
    const target = swaggerTarget(r, this.status.activeKey);
    if ('problem' in target) {
      const pick = await vscode.window.showWarningMessage(`DOX: ${target.problem}`, 'Select Service Key');
      if (pick) {
        await this.selectServiceKey();
      }
      return;
    }
    const opened = await vscode.env.openExternal(vscode.Uri.parse(target.url, true));
    if (opened) {
      vscode.window.setStatusBarMessage(`$(link-external) DOX: opened the Swagger UI of ${target.key}`, 4_000);
    }
  }

  async restartServer(): Promise<void> {
    try {
      await this.server.restart();
      vscode.window.setStatusBarMessage('$(check) DOX: server restarted', 4_000);
    } catch (err) {
      await showCommandError(err);
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
