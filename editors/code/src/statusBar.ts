// The DOX status bar item: time left of the active key's token, ticking
// down client-side, coloured by statusView.

import * as vscode from 'vscode';
import { refreshMarginSeconds } from './settings';
import { nextTickDelay, statusView, type KeyInfo, type TokenStatus } from './status';
import { doxSetting } from './server';
import type { LoadServiceKeyResult } from './messages';

export class DoxStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly statuses = new Map<string, TokenStatus>();
  private readonly keys = new Map<string, KeyInfo>();
  private active: string | undefined;
  private lastKey: string | undefined;
  private visible = false;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('dox.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'DOX Token';
    this.item.command = 'dox.refreshToken';
    this.render();
  }

  /** The key commands act on: the server's active key, else the last one reported. */
  get activeKey(): string | undefined {
    return this.active ?? this.lastKey;
  }

  /** What doxls.loadServiceKey said about key `id`. */
  keyInfo(id: string | undefined): KeyInfo | undefined {
    return id === undefined ? undefined : this.keys.get(id);
  }

  knowsKey(id: string): boolean {
    return this.keys.has(id);
  }

  get keyCount(): number {
    return this.keys.size;
  }

  update(status: TokenStatus): void {
    this.statuses.set(status.key, status);
    this.lastKey = status.key;
    this.render();
  }

  /** Marks every key's token as gone (after doxls.clearToken without a key). */
  clearAll(): void {
    for (const [key, s] of this.statuses) {
      this.statuses.set(key, { ...s, state: 'missing', expiresAt: null });
    }
    this.render();
  }

  setKeys(r: LoadServiceKeyResult): void {
    this.keys.clear();
    for (const k of r.keys ?? []) {
      this.keys.set(k.id, k);
    }
    this.active = r.active ?? undefined;
    this.render();
  }

  show(): void {
    this.visible = true;
    this.render();
  }

  get shown(): boolean {
    return this.visible;
  }

  render(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const id = this.activeKey;
    const status = id === undefined ? undefined : this.statuses.get(id);
    const now = Date.now();
    const margin = refreshMarginSeconds(doxSetting);
    const view = statusView(status, id === undefined ? undefined : (this.keys.get(id) ?? { id }), now, margin);
    this.item.text = view.text;
    this.item.backgroundColor =
      view.color === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : view.color === 'error'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : undefined;
    this.item.tooltip = new vscode.MarkdownString(view.tooltip.join('\n\n'), true);
    this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    if (view.state === 'valid' || view.state === 'expiring') {
      const exp = status?.expiresAt ? Date.parse(status.expiresAt) : NaN;
      if (!Number.isNaN(exp)) {
        this.timer = setTimeout(() => this.render(), nextTickDelay(exp - now, margin));
      }
    }
    if (this.visible) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.item.dispose();
  }
}
