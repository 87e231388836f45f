// The read-only view of a DOX job's extracted header fields, opened when
// doxls.waitForJob (the job code lens) answers.

import * as vscode from 'vscode';
import { jobMarkdown, type WaitForJobResult } from './messages';

const scheme = 'doxls-job';

export class JobView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  // Documents of a content provider are read-only in the editor.
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  async show(result: WaitForJobResult): Promise<void> {
    const uri = vscode.Uri.from({ scheme, path: `/DOX job ${result.id}.md` });
    this.texts.set(uri.toString(), jobMarkdown(result));
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
