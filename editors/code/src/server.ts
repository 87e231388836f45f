// The doxls language client: finds the binary, starts and restarts it, and
// runs doxls.* commands with errors turned into one line for the user.

import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { findServer, ServerNotFoundError, versionProbe, type ServerBinary } from './binary';
import { serverSettings } from './settings';
import type { WaitForJobResult } from './messages';
import type { TokenStatus } from './status';

/** A failure already shown to the user (the binary lookup); callers stay quiet. */
export class AlreadyReportedError extends Error {}

/** Reads dox.<name> from the settings. */
export function doxSetting(name: string): unknown {
  return vscode.workspace.getConfiguration('dox').get(name);
}

export class DoxServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<TokenStatus>();
  private readonly startedEmitter = new vscode.EventEmitter<void>();
  private readonly jobEmitter = new vscode.EventEmitter<WaitForJobResult>();
  /** Answers of doxls.waitForJob run from the job code lens. */
  readonly onJobResult = this.jobEmitter.event;
  /** dox/tokenStatus notifications. */
  readonly onTokenStatus = this.statusEmitter.event;
  /**
   * Fires each time a server process is up, including the client library's
   * own restarts after a crash (the new process knows no key choice yet).
   */
  readonly onStarted = this.startedEmitter.event;
  binary: ServerBinary | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** The running client, started first when needed. */
  async ensureClient(): Promise<LanguageClient> {
    const c = this.client;
    if (c && c.state === State.Running) {
      return c;
    }
    if (c && c.state === State.Starting && !this.starting) {
      // The client library is restarting a crashed server: wait for it.
      await c.start();
      return c;
    }
    if (!this.starting) {
      this.starting = this.start().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    if (this.client) {
      // Stopped for good (crashed too often, or never started): begin afresh.
      const old = this.client;
      this.client = undefined;
      await old.dispose().catch(() => undefined);
    }
    let binary: ServerBinary;
    try {
      binary = await findServer(
        {
          configured: String(doxSetting('server.path') ?? ''),
          extensionPath: this.context.extensionPath,
          pathEnv: process.env.PATH ?? '',
          platform: process.platform,
        },
        versionProbe(),
      );
    } catch (err) {
      const msg = err instanceof ServerNotFoundError ? err.message : String(err);
      this.output.appendLine(`[doxls] ${msg}`);
      void vscode.window.showErrorMessage(`DOX: ${msg}`, 'Open settings').then((pick) => {
        if (pick) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'dox.server.path');
        }
      });
      throw new AlreadyReportedError(msg);
    }
    this.binary = binary;
    this.output.appendLine(`[doxls] starting ${binary.path} (${binary.version}, from ${binary.source})`);
    const args = ['serve'];
    if (doxSetting('trace.server') === 'verbose') {
      args.push('--log-level', 'debug');
    }
    const serverOptions: ServerOptions = { command: binary.path, args };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: 'http', scheme: 'file' },
        { language: 'http', scheme: 'untitled' },
      ],
      synchronize: { configurationSection: 'dox' },
      initializationOptions: serverSettings(doxSetting),
      outputChannel: this.output,
      // Command failures get one readable message from us, not the
      // client's generic "Request workspace/executeCommand failed.".
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        // doxls.* commands that code lenses and quick fixes run.
        executeCommand: async (command, args, next) => {
          try {
            const result: unknown = await next(command, args);
            if (command === 'doxls.waitForJob' && result) {
              this.jobEmitter.fire(result as WaitForJobResult);
            }
            return result;
          } catch (err) {
            showCommandError(err);
            return undefined;
          }
        },
      },
    };
    const client = new LanguageClient('dox', 'DOX Language Server', serverOptions, clientOptions);
    client.onNotification('dox/tokenStatus', (params: TokenStatus) => this.statusEmitter.fire(params));
    client.onDidChangeState((e) => {
      if (e.newState === State.Running && this.client === client) {
        this.startedEmitter.fire();
      }
    });
    this.client = client;
    await client.start();
    return client;
  }

  /** Runs a doxls.* command; rejects with an Error whose message is the server's one line. */
  async execute<T>(command: string, args?: object, token?: vscode.CancellationToken): Promise<T> {
    const client = await this.ensureClient();
    try {
      const params = { command, arguments: args === undefined ? [] : [args] };
      return (await client.sendRequest(ExecuteCommandRequest.type, params, token)) as T;
    } catch (err) {
      throw toUserError(err);
    }
  }

  /** The URI string the server knows a document by. */
  uriOf(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  /** The VS Code URI of a URI string the server sent. */
  codeUri(uri: string): vscode.Uri {
    return this.client ? this.client.protocol2CodeConverter.asUri(uri) : vscode.Uri.parse(uri, true);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.ensureClient();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      try {
        if (c.state === State.Running || c.state === State.Starting) {
          await c.stop(2_000);
        }
      } catch (err) {
        this.output.appendLine(`[doxls] stopping: ${String(err)}`);
      }
      await c.dispose().catch(() => undefined);
    }
  }

  dispose(): void {
    void this.stop();
    this.statusEmitter.dispose();
    this.startedEmitter.dispose();
    this.jobEmitter.dispose();
  }
}

/** The one line to show for a failed command. */
export function toUserError(err: unknown): Error {
  if (err instanceof AlreadyReportedError) {
    return err;
  }
  if (err instanceof ResponseError) {
    return new Error(String(err.message).trim() || `doxls answered error ${err.code}`);
  }
  if (err instanceof vscode.CancellationError) {
    return err;
  }
  return err instanceof Error ? err : new Error(String(err));
}

export function showCommandError(err: unknown, ...actions: string[]): Thenable<string | undefined> {
  const e = toUserError(err);
  if (e instanceof AlreadyReportedError || e instanceof vscode.CancellationError) {
    return Promise.resolve(undefined);
  }
  return vscode.window.showErrorMessage(`DOX: ${e.message}`, ...actions);
}
