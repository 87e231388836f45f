// Entry point: wires the language client, the status bar and the commands.

import * as vscode from 'vscode';
import { DoxCommands } from './commands';
import { JobView } from './jobView';
import { AlreadyReportedError, DoxServer } from './server';
import { DoxStatusBar } from './statusBar';

let server: DoxServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('DOX Language Server');
  server = new DoxServer(context, output);
  const status = new DoxStatusBar();
  const commands = new DoxCommands(context, server, status);
  const jobs = new JobView();
  context.subscriptions.push(output, server, status, commands, jobs);

  context.subscriptions.push(
    server.onTokenStatus((s) => {
      status.update(s);
      status.show();
      if (!status.knowsKey(s.key)) {
        // A key we have not listed yet (settings changed, a key file appeared).
        void commands.loadKeys().catch(() => undefined);
      }
    }),
    server.onStarted(() => void commands.restoreKey()),
    server.onJobResult((r) => void jobs.show(r)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dox.server.path')) {
        void commands.restartServer();
      } else if (e.affectsConfiguration('dox.serviceKey')) {
        void commands.serviceKeyChanged();
      } else if (e.affectsConfiguration('dox.refreshMarginSeconds')) {
        status.render();
      }
    }),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (doc.languageId === 'http') {
        status.show();
      }
    }),
  );

  // The item belongs to workspaces with a service key or a .http file.
  if (vscode.workspace.textDocuments.some((d) => d.languageId === 'http')) {
    status.show();
  } else {
    void vscode.workspace.findFiles('**/*.{http,rest}', '**/{node_modules,.git}/**', 1).then((found) => {
      if (found.length > 0) {
        status.show();
      }
    });
  }

  try {
    await server.ensureClient();
  } catch (err) {
    if (!(err instanceof AlreadyReportedError)) {
      output.appendLine(`[doxls] start failed: ${String(err)}`);
    }
  }
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
