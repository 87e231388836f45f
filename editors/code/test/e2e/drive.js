// Drives code-server in Chromium through the extension's user-visible flow.
// Started by scripts/e2e.sh with Node 24 and NODE_PATH pointing at the
// playwright-core it installed; the environment names the URL, workspace,
// artifact folder and Chromium binary. Exits non-zero naming the failed step.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set (run scripts/e2e.sh)`);
  }
  return v;
}

const artifacts = env('E2E_ARTIFACTS');
const workspace = env('E2E_WORKSPACE');
const secrets = (process.env.E2E_SECRETS || '').split('\n').filter(Boolean);
const t0 = Date.now();
const timings = [];
let step = 'starting Chromium';

function log(msg) {
  console.log(`drive [${((Date.now() - t0) / 1000).toFixed(1)}s]: ${msg}`);
}

/** Runs one named step, recording how long it took. */
async function stepDo(name, fn) {
  step = name;
  const start = Date.now();
  log(name);
  const r = await fn();
  timings.push([name, Date.now() - start]);
  return r;
}

const normalise = (s) => s.replace(/\u00a0/g, ' ');

async function main() {
  const context = await chromium.launchPersistentContext(env('E2E_BROWSER_DIR'), {
    executablePath: env('E2E_CHROMIUM'),
    headless: true,
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 2,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(artifacts, 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`${m.type()}: ${m.text()}\n`));
  try {
    await run(page);
  } catch (err) {
    await page.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => undefined);
    const toasts = await notificationTexts(page).catch(() => []);
    const detail = toasts.length ? `\n  notifications: ${JSON.stringify(toasts)}` : '';
    throw new Error(`step "${step}": ${err.message.split('\n')[0]}${detail}`, { cause: err });
  } finally {
    consoleLog.end();
    await context.close();
  }
  for (const [name, ms] of timings) {
    log(`  ${(ms / 1000).toFixed(1).padStart(5)}s  ${name}`);
  }
}

// --- workbench helpers ---------------------------------------------------------

function statusItem(page) {
  // The item's accessibility label is its text without the icon: "DOX 11h 59m".
  return page.locator('#workbench\\.parts\\.statusbar').getByRole('button', { name: /^DOX\b/ });
}

async function statusText(page) {
  return (await statusItem(page).getAttribute('aria-label')) ?? '';
}

async function waitStatus(page, re, timeout = 15_000) {
  const item = statusItem(page);
  try {
    await item.and(page.locator(`[aria-label]`)).first().waitFor({ timeout });
    await page.waitForFunction(
      ([source, flags]) => {
        const re = new RegExp(source, flags);
        const bar = document.getElementById('workbench.parts.statusbar');
        return [...(bar?.querySelectorAll('[role="button"][aria-label]') ?? [])].some((e) => re.test(e.getAttribute('aria-label')));
      },
      [re.source, re.flags],
      { timeout },
    );
  } catch {
    throw new Error(`status bar item never matched ${re} (it says ${JSON.stringify(await statusText(page).catch(() => 'nothing'))})`);
  }
}

/** The .statusbar-item container of the DOX item (it carries the colour classes). */
async function statusKind(page) {
  return page.evaluate(() => {
    const bar = document.getElementById('workbench.parts.statusbar');
    const label = [...(bar?.querySelectorAll('[role="button"][aria-label]') ?? [])].find((e) => /^DOX\b/.test(e.getAttribute('aria-label')));
    const item = label?.closest('.statusbar-item');
    if (!item) {
      return 'none';
    }
    return item.classList.contains('error-kind') ? 'error' : item.classList.contains('warning-kind') ? 'warning' : 'standard';
  });
}

async function notificationTexts(page) {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
}

async function errorToasts(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast').filter({ has: page.locator('.codicon-error') });
  return toasts.locator('.notification-list-item-message').allInnerTexts();
}

async function quickInput(page) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  return input;
}

/** Picks the quick input row whose label matches re (typing filter first). */
async function pickRow(page, filter, re) {
  const input = await quickInput(page);
  if (filter) {
    await input.pressSequentially(filter, { delay: 5 });
  }
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: re }) });
  try {
    await row.first().waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    const rows = await page.locator('.quick-input-widget .monaco-list-row .label-name').allInnerTexts();
    throw new Error(`no quick input row matches ${re}; rows: ${JSON.stringify(rows)}`);
  }
  await row.first().click();
}

async function palette(page, title) {
  await page.keyboard.press('F1');
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await pickRow(page, title, new RegExp(`^${escaped}$`));
}

async function clearNotifications(page) {
  await palette(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
}

async function editorText(page) {
  return normalise(await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText());
}

function assertNoSecret(where, text) {
  for (const s of secrets) {
    if (text.includes(s)) {
      throw new Error(`a client secret appears in ${where}`);
    }
  }
}

async function assertNoSecretOnScreen(page, where) {
  assertNoSecret(where, normalise(await page.locator('body').innerText()));
}

/** The editor tab of file `name` in the active group (its accessible name starts with the file name). */
function editorTab(page, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.locator('.editor-group-container.active .tabs-container').getByRole('tab', { name: new RegExp(`^${escaped}\\b(?!-)`) });
}

/**
 * Waits for `name` to be the active, saved editor tab showing a DOX request
 * file; returns the editor's text.
 */
async function requestFileShown(page, name) {
  const tab = editorTab(page, name).and(page.locator('.tab.active'));
  try {
    await tab.waitFor({ timeout: 15_000 });
  } catch {
    const tabs = await page.locator('.tabs-container [role="tab"]').evaluateAll((ts) => ts.map((t) => t.getAttribute('aria-label')));
    throw new Error(`no active editor tab ${name}; tabs: ${JSON.stringify(tabs)}`);
  }
  await page.waitForFunction(
    () => (document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ').includes('/v1/capabilities'),
    undefined,
    { timeout: 10_000 },
  );
  if (await tab.evaluate((e) => e.classList.contains('dirty'))) {
    throw new Error(`${name} is open with unsaved changes`);
  }
  const text = await editorText(page);
  if (!text.includes('GET {{host}}/document-information-extraction/v1/capabilities') || !/Authorization: Bearer eyJ/.test(text)) {
    throw new Error(`the ${name} editor lacks the capabilities request or its Bearer header`);
  }
  return text;
}

/** The saved request file `name`: four DOX requests, each with a Bearer header the emulator accepts. */
function savedRequestFile(name) {
  const text = fs.readFileSync(path.join(workspace, name), 'utf8');
  const api = env('E2E_API_URL');
  if (!text.includes(`@host = ${api}\n`) || !text.includes('GET {{host}}/document-information-extraction/v1/capabilities\n')) {
    throw new Error(`${name} on disk lacks "@host = ${api}" or the capabilities request`);
  }
  const requests = text.match(/^(GET|POST) \{\{host\}\}\//gm) ?? [];
  const headers = text.match(/^Authorization: Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+$/gm) ?? [];
  if (requests.length !== 4 || headers.length !== 4) {
    throw new Error(`${name} on disk has ${requests.length} requests and ${headers.length} Bearer headers, not 4 and 4`);
  }
  return text;
}

/** Moves the cursor with "Go to Line/Column" ("12" or "12:5"). */
async function gotoLine(page, where) {
  await page.keyboard.press('Control+G');
  const input = await quickInput(page);
  await input.pressSequentially(where, { delay: 5 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}

/** Waits for the job code lens whose title matches re; returns it. */
async function jobLens(page, re) {
  const lenses = page.locator('.editor-group-container .monaco-editor .codelens-decoration a');
  const lens = lenses.filter({ hasText: re });
  try {
    await lens.first().waitFor({ timeout: 20_000 });
  } catch {
    throw new Error(`no code lens matches ${re}; lenses: ${JSON.stringify((await lenses.allInnerTexts()).map(normalise))}`);
  }
  return lens.first();
}

// --- the test -------------------------------------------------------------------

async function run(page) {
  await stepDo('open the workspace', async () => {
    await page.goto(env('E2E_URL'));
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
  });

  await stepDo('open requests.http', async () => {
    // The Explorer rather than Quick Open: its file search may still be indexing.
    await page.getByRole('treeitem', { name: 'requests.http' }).click({ timeout: 15_000 });
    await page.waitForFunction(
      () => document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.includes('capabilities'),
      undefined,
      { timeout: 15_000 },
    );
  });

  await stepDo('wait for the DOX status bar item', () => waitStatus(page, /^DOX$/, 30_000));

  await stepDo('run "Get DOX token"', async () => {
    await palette(page, 'Get DOX token');
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: /DOX token for dox-key\.json is valid for 11h 5\dm/ });
    await toast.first().waitFor({ timeout: 20_000 });
    const actions = await page.locator('.notifications-toasts .notification-toast .monaco-button').allInnerTexts();
    for (const a of ['Copy token', 'Insert into this file']) {
      if (!actions.includes(a)) {
        throw new Error(`the token message offers ${JSON.stringify(actions)}, not "${a}"`);
      }
    }
  });

  await stepDo('status bar shows the time left', async () => {
    await waitStatus(page, /^DOX 11h 5\dm$/);
    const kind = await statusKind(page);
    if (kind !== 'standard') {
      throw new Error(`a fresh token is shown in the ${kind} colour`);
    }
  });

  await stepDo('screenshot the status bar', async () => {
    await clearNotifications(page);
    await page.mouse.move(10, 10);
    const bar = page.locator('#workbench\\.parts\\.statusbar');
    const barBox = await bar.boundingBox();
    await bar.screenshot({ path: path.join(artifacts, 'statusbar-full.png') });
    // The README picture: the DOX item, three neighbours on its left, and the
    // rest of the bar to the right edge.
    const x = await page.evaluate(() => {
      const items = [...document.querySelectorAll('#workbench\\.parts\\.statusbar .right-items > .statusbar-item')]
        .filter((e) => e.offsetWidth > 0)
        .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left);
      const i = items.findIndex((e) => /^DOX\b/.test(e.querySelector('[aria-label]')?.getAttribute('aria-label') ?? ''));
      return items[Math.max(0, i - 3)].getBoundingClientRect().left;
    });
    const width = barBox.x + barBox.width - x;
    await page.screenshot({ path: path.join(artifacts, 'statusbar.png'), clip: { x, y: barBox.y, width, height: barBox.height } });
  });

  await stepDo('run "DOX: Insert Bearer Header" in the first request', async () => {
    // Cursor on the Accept header of the capabilities request (line 6).
    await page.keyboard.press('Control+G');
    const input = await quickInput(page);
    await input.pressSequentially('6', { delay: 5 });
    await page.keyboard.press('Enter');
    await palette(page, 'DOX: Insert Bearer Header');
    await page.waitForFunction(
      () => /Authorization:\s+Bearer\s+eyJ/.test(document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    const text = await editorText(page);
    const headers = text.match(/Authorization: Bearer eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [];
    if (headers.length !== 1) {
      throw new Error(`expected one Bearer header (only the request under the cursor), found ${headers.length}`);
    }
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Authorization: Bearer'));
    if (!/^Accept: application\/json$/.test(lines[at - 1] ?? '')) {
      throw new Error(`the header is not the last header line of the capabilities request: ${JSON.stringify(lines.slice(at - 2, at + 1).map((l) => l.slice(0, 40)))}`);
    }
    // The DOX API stub of the emulator accepts only tokens its UAA issued.
    const token = headers[0].slice('Authorization: Bearer '.length);
    const res = await fetch(`${env('E2E_API_URL')}/document-information-extraction/v1/capabilities`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.status !== 200) {
      throw new Error(`the DOX API answers ${res.status} to the inserted token`);
    }
    await page.screenshot({ path: path.join(artifacts, 'bearer-inserted.png') });
  });

  await stepDo('a copy of the key with a wrong secret, Clear Token, Get DOX token', async () => {
    // Issue 15: requests.http holds a valid token of the same client and
    // UAA; after a clear, the next token must come from UAA, which refuses
    // the wrong secret, instead of the document's token shown as "(cached)".
    await clearNotifications(page);
    const file = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    settings['dox.serviceKey'] = 'bad-key.json';
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
    // The status bar follows the active key: bad-key.json has no token yet.
    await waitStatus(page, /^DOX$/, 20_000);
    await palette(page, 'DOX: Clear Token');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: /DOX: cleared \d+ tokens?/ }).waitFor({ timeout: 10_000 });
    await palette(page, 'Get DOX token');
    await waitStatus(page, /^DOX error$/, 20_000);
    await page.locator('.notifications-toasts .notification-toast .codicon-error').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1_500);
    const errors = await errorToasts(page);
    const all = await notificationTexts(page);
    await page.screenshot({ path: path.join(artifacts, 'cleared-wrong-secret.png') });
    if (errors.length !== 1 || all.some((t) => /\(cached\)/.test(t))) {
      throw new Error(`expected one error notification and no cached token, got ${JSON.stringify(all)}`);
    }
    const msg = normalise(errors[0]);
    log(`  error notification: ${msg}`);
    assertNoSecret('the error notification', msg);
    if (!/bad-key\.json/.test(msg) || !/secret/i.test(msg) || /\n/.test(msg)) {
      throw new Error(`the error notification is not one line about bad-key.json's secret: ${JSON.stringify(msg)}`);
    }
  });

  await stepDo('switch to the second key', async () => {
    await clearNotifications(page);
    await palette(page, 'DOX: Select Service Key');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: /keys\/other-key\.json/ }).first().waitFor({ timeout: 10_000 });
    // Each key shows its zone and API host.
    const description = await rows.filter({ hasText: /keys\/other-key\.json/ }).first().locator('.label-description').innerText();
    if (!/^zone \S+ · 127\.0\.0\.1:\d+$/.test(normalise(description))) {
      throw new Error(`the key row says ${JSON.stringify(description)}, not "zone … · <API host>"`);
    }
    await pickRow(page, '', /keys\/other-key\.json$/);
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: using keys/other-key.json' }).waitFor({ timeout: 10_000 });
    await waitStatus(page, /^DOX 11h 5\dm$/, 20_000);
    if ((await errorToasts(page)).length !== 0) {
      throw new Error(`unexpected error notifications: ${JSON.stringify(await errorToasts(page))}`);
    }
  });

  await stepDo('switch to the key with a wrong secret', async () => {
    await clearNotifications(page);
    await palette(page, 'DOX: Select Service Key');
    // No typing: the picker opens after a server round trip, and keys are few.
    await pickRow(page, '', /keys\/wrong-secret\.json$/);
    await waitStatus(page, /^DOX error$/, 20_000);
    await page.locator('.notifications-toasts .notification-toast .codicon-error').first().waitFor({ timeout: 10_000 });
    // Let any second message (from the client library or the server) arrive.
    await page.waitForTimeout(1_500);
    const errors = await errorToasts(page);
    const all = await notificationTexts(page);
    await page.screenshot({ path: path.join(artifacts, 'wrong-secret.png') });
    if (errors.length !== 1) {
      throw new Error(`expected one error notification, got ${errors.length}: ${JSON.stringify(all)}`);
    }
    const msg = normalise(errors[0]);
    log(`  error notification: ${msg}`);
    assertNoSecret('the error notification', msg);
    if (!/secret/i.test(msg) || /Request .* failed|See the output|stack|goroutine|\n/.test(msg) || msg.length > 300) {
      throw new Error(`the error notification is not one readable line about the secret: ${JSON.stringify(msg)}`);
    }
    if ((await statusKind(page)) !== 'error') {
      throw new Error('the status bar item is not in the error colour after the failed fetch');
    }
  });

  await stepDo('switch back to the working key', async () => {
    await clearNotifications(page);
    await palette(page, 'DOX: Select Service Key');
    await pickRow(page, '', /^dox-key\.json$/);
    await waitStatus(page, /^DOX 11h 5\dm$/, 20_000);
    if ((await statusKind(page)) !== 'standard') {
      throw new Error('the status bar item kept its error colour after a good fetch');
    }
    const errors = await errorToasts(page);
    if (errors.length !== 0) {
      throw new Error(`unexpected error notifications: ${JSON.stringify(errors)}`);
    }
    // dox.serviceKey was set in the workspace, so the pick is written there.
    const file = path.join(workspace, '.vscode', 'settings.json');
    const value = () => JSON.parse(fs.readFileSync(file, 'utf8'))['dox.serviceKey'];
    for (const deadline = Date.now() + 10_000; value() !== 'dox-key.json'; ) {
      if (Date.now() > deadline) {
        throw new Error(`dox.serviceKey is ${JSON.stringify(value())} 10 s after picking dox-key.json`);
      }
      await page.waitForTimeout(100);
    }
  });

  await stepDo('run "DOX: Show Token Details"', async () => {
    await palette(page, 'DOX: Show Token Details');
    await page.waitForFunction(
      () => {
        const text = (document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ');
        return text.includes('# DOX token') && text.includes('sb-3f1c9a2e') && text.includes('Scopes');
      },
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: path.join(artifacts, 'token-details.png') });
    await page.keyboard.press('Control+W');
  });

  await stepDo('run "DOX: Refresh Bearer Headers"', async () => {
    // requests.http still holds the token cleared above; dox-key.json got a
    // new one from UAA since, which replaces it.
    await palette(page, 'DOX: Refresh Bearer Headers');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: Refreshed 1 Bearer token in 1 document.' }).waitFor({ timeout: 10_000 });
    await palette(page, 'DOX: Refresh Bearer Headers');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'Every Bearer header already carries the current DOX token.' }).waitFor({ timeout: 10_000 });
  });

  await stepDo('run "DOX: Clear Token"', async () => {
    await palette(page, 'DOX: Clear Token');
    await waitStatus(page, /^DOX$/);
  });

  await stepDo('run "DOX: Restart Server", then "Get DOX token" again', async () => {
    await palette(page, 'DOX: Restart Server');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: server restarted' }).waitFor({ timeout: 15_000 });
    await palette(page, 'Get DOX token');
    await page.locator('.notifications-toasts .notification-list-item-message', { hasText: /DOX token for dox-key\.json is valid for 11h 5\dm/ }).first().waitFor({ timeout: 20_000 });
    await waitStatus(page, /^DOX 11h 5\dm$/);
  });

  const firstFile = await stepDo('run "DOX: New Request File"', async () => {
    await clearNotifications(page);
    await palette(page, 'DOX: New Request File');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: Created dox.http.' }).waitFor({ timeout: 20_000 });
    const text = await requestFileShown(page, 'dox.http');
    const onDisk = savedRequestFile('dox.http');
    // The editor shows the top of the file (empty lines leave no text);
    // every request on disk has the token.
    const shown = new Set(text.split('\n').map((l) => l.trimEnd()));
    const missing = onDisk
      .split('\n')
      .slice(0, 12)
      .find((l) => l.trim() !== '' && !shown.has(l.trimEnd()));
    if (missing !== undefined) {
      fs.writeFileSync(path.join(artifacts, 'dox.http-editor.txt'), text);
      throw new Error(`the editor does not show this line of the saved dox.http: ${JSON.stringify(missing.slice(0, 80))}`);
    }
    await page.screenshot({ path: path.join(artifacts, 'new-request-file.png') });
    return onDisk;
  });

  await stepDo('run "DOX: New Request File" again: dox-2.http', async () => {
    await palette(page, 'DOX: New Request File');
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: Created dox-2.http.' }).waitFor({ timeout: 20_000 });
    await requestFileShown(page, 'dox-2.http');
    savedRequestFile('dox-2.http');
    if (fs.readFileSync(path.join(workspace, 'dox.http'), 'utf8') !== firstFile) {
      throw new Error('the second run changed dox.http');
    }
    const first = editorTab(page, 'dox.http');
    if ((await first.count()) !== 1 || (await first.first().evaluate((e) => e.classList.contains('dirty')))) {
      throw new Error('the dox.http tab is gone or has unsaved changes after the second run');
    }
  });

  await stepDo('run "DOX: Open Swagger UI"', async () => {
    // The emulator's keys name tenantuiurl = the API URL and swagger =
    // "/document-information-extraction/v1/". code-server trusts loopback
    // links (no "open the external website?" dialog) and, since the browser
    // cannot reach the server's loopback, opens them through its port proxy.
    const swagger = new URL(`${env('E2E_API_URL')}/document-information-extraction/v1/`);
    const proxied = `${new URL(page.url()).origin}/proxy/${swagger.port}${swagger.pathname}`;
    const opened = page.context().waitForEvent('page', { timeout: 15_000 });
    await palette(page, 'DOX: Open Swagger UI');
    const tab = await opened.catch(() => {
      throw new Error('no browser tab opened');
    });
    await tab.waitForURL((u) => u.protocol.startsWith('http'), { waitUntil: 'commit', timeout: 10_000 }).catch(() => undefined);
    const url = tab.url();
    await tab.close();
    log(`  opened ${url}`);
    if (url !== proxied && url !== swagger.href) {
      throw new Error(`a browser tab opened ${JSON.stringify(url)}, not ${swagger.href} (or code-server's ${proxied})`);
    }
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'DOX: opened the Swagger UI of dox-key.json' }).waitFor({ timeout: 10_000 });
  });

  await stepDo('open upload.http', async () => {
    await clearNotifications(page);
    await page.getByRole('treeitem', { name: 'upload.http' }).click({ timeout: 15_000 });
    await editorTab(page, 'upload.http').and(page.locator('.tab.active')).waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => (document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent ?? '').includes('DoxBoundary--'),
      undefined,
      { timeout: 15_000 },
    );
  });

  await stepDo('complete the upload options\' "clientId" from the instance\'s clients', async () => {
    // The cursor between the quotes of "clientId": "".
    const lines = fs.readFileSync(path.join(workspace, 'upload.http'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"clientId": ""'));
    await gotoLine(page, `${line + 1}:${lines[line].indexOf('""') + 2}`);
    const widget = page.locator('.suggest-widget.visible');
    const rows = widget.locator('.monaco-list-row');
    // The instance's data may still be on its way (an empty, incomplete
    // list): ask again, as a user would.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+Space');
      try {
        await rows.first().waitFor({ timeout: 5_000 });
        break;
      } catch (err) {
        if (attempt === 3) {
          throw new Error(`no completion list after ${attempt} tries (${JSON.stringify(await page.locator('.suggest-widget').allInnerTexts())})`, { cause: err });
        }
        await page.keyboard.press('Escape');
      }
    }
    const labels = (await rows.locator('.label-name').allInnerTexts()).map(normalise).sort();
    const want = ['c_00', 'c_01', 'default'];
    if (JSON.stringify(labels) !== JSON.stringify(want)) {
      throw new Error(`the completion list shows ${JSON.stringify(labels)}, not the instance's clients ${JSON.stringify(want)}`);
    }
    for (let i = 0; i < want.length; i++) {
      const focused = normalise(await rows.and(page.locator('.focused')).locator('.label-name').innerText());
      if (focused === 'c_00') {
        break;
      }
      await page.keyboard.press('ArrowDown');
      await rows.and(page.locator('.focused')).filter({ hasNotText: new RegExp(`^${focused}\\b`) }).waitFor({ timeout: 5_000 });
    }
    // Each item says what it is.
    await page.locator('.suggest-widget.visible, .suggest-details-container').getByText('DOX client · Invoices Europe').first().waitFor({ timeout: 5_000 });
    const box = await widget.boundingBox();
    const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().boundingBox();
    // The docs picture (docs/images/completion.png): the options part's
    // headers (four lines above the cursor's), the JSON and the list.
    const currentLine = page.locator('.editor-group-container.active .monaco-editor .view-overlays .current-line');
    const current = (await currentLine.count()) > 0 ? await currentLine.first().boundingBox() : null;
    const x = Math.max(text.x - 4, box.x - 220);
    const y = Math.max(text.y, current ? current.y - 4 * current.height : box.y - 120);
    await page.screenshot({
      path: path.join(artifacts, 'completion.png'),
      clip: { x, y, width: box.x + box.width + 12 - x, height: box.y + box.height + 12 - y },
    });
    await page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: 5_000 });
    const after = (await editorText(page)).split('\n');
    if (!after.includes('  "clientId": "c_00",')) {
      throw new Error(`after accepting c_00 the options read ${JSON.stringify(after.filter((l) => /clientId/.test(l)))}`);
    }
  });

  const upload = await stepDo('insert the Bearer header into the upload, save, and send it', async () => {
    await palette(page, 'DOX: Insert Bearer Header');
    await page.waitForFunction(
      () => /Authorization:\s+Bearer\s+eyJ/.test(document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    await page.keyboard.press('Control+S');
    await editorTab(page, 'upload.http').and(page.locator('.tab.active:not(.dirty)')).waitFor({ timeout: 10_000 });
    const file = path.join(workspace, 'upload.http');
    for (const deadline = Date.now() + 10_000; !/^Authorization: Bearer /m.test(fs.readFileSync(file, 'utf8')); ) {
      if (Date.now() > deadline) {
        throw new Error('upload.http on disk has no Authorization header 10 s after saving');
      }
      await page.waitForTimeout(100);
    }
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Authorization: Bearer '));
    if (at < 0 || !lines[at - 1].startsWith('Content-Type: multipart/form-data')) {
      throw new Error(`the Bearer header is not among the upload's headers: ${JSON.stringify(lines.slice(Math.max(0, at - 2), at + 2).map((l) => l.slice(0, 40)))}`);
    }
    const options = JSON.parse(/name="options"\nContent-Type: application\/json\n\n([\s\S]*?)\n--DoxBoundary--/.exec(text)?.[1] ?? 'null');
    if (options?.clientId !== 'c_00') {
      throw new Error(`the saved options are ${JSON.stringify(options)}`);
    }
    // What REST Client or httpyac would send for this request.
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(path.join(workspace, 'invoice.pdf'))], { type: 'application/pdf' }), 'invoice.pdf');
    form.append('options', JSON.stringify(options));
    const res = await fetch(`${env('E2E_API_URL')}/document-information-extraction/v1/document/jobs`, {
      method: 'POST',
      headers: { Authorization: lines[at].slice('Authorization: '.length) },
      body: form,
    });
    const body = await res.json();
    if (res.status !== 201 || !body.id) {
      throw new Error(`the DOX API answers the upload with ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
    }
    log(`  job ${body.id}`);
    // The job request goes below the last (empty) line.
    return { id: body.id, line: lines.length + 2 };
  });

  await stepDo('add the job request: its lens says PENDING', async () => {
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(`\n### the uploaded invoice's job\nGET ${env('E2E_API_URL')}/document-information-extraction/v1/document/jobs/${upload.id}\n`);
    await page.keyboard.press('Escape');
    await jobLens(page, /^DOX job PENDING$/);
  });

  await stepDo('click the job lens: the read-only view of the extracted fields', async () => {
    await jobLens(page, /^DOX job PENDING$/).then((lens) => lens.click());
    const tab = page.getByRole('tab', { name: new RegExp(`^DOX job ${upload.id}\\.md`) });
    await tab.waitFor({ timeout: 30_000 });
    const view = page.locator('.editor-group-container').filter({ has: tab }).locator('.monaco-editor .view-lines').first();
    await view.filter({ hasText: 'INV-2024-0042' }).waitFor({ timeout: 10_000 });
    const lines = normalise(await view.innerText()).split('\n');
    const want = [
      `# DOX job ${upload.id}`,
      'Status: **DONE** · document type `invoice`',
      '| documentNumber | INV-2024-0042 | 98% | 1 |',
      '| documentDate | 2024-05-17 | 96% | 1 |',
      '| grossAmount | 1190 | 95% | 1 |',
      '| currencyCode | EUR | 99% | 1 |',
      '| senderName | Muster Bürobedarf GmbH | 91% | 1 |',
    ];
    // Markdown editors wrap long lines, at spaces the pieces keep.
    const flat = lines.join('');
    const missing = want.filter((l) => !flat.includes(l));
    if (missing.length) {
      throw new Error(`the job view lacks ${JSON.stringify(missing)}; it shows ${JSON.stringify(lines)}`);
    }
    await page.screenshot({ path: path.join(artifacts, 'job-view.png') });
    // Typing into it is refused.
    await view.click();
    await page.keyboard.press('x');
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).first().waitFor({ timeout: 5_000 });
    if (normalise(await view.innerText()).split('\n').join('\n') !== lines.join('\n')) {
      throw new Error('the job view changed when typed into');
    }
  });

  await stepDo('back in upload.http the lens says DONE', async () => {
    // Focusing the editor again makes VS Code ask for its lenses; the
    // request is scrolled into view, with its lens.
    await page.getByRole('tab', { name: /^upload\.http\b/ }).click();
    await gotoLine(page, String(upload.line));
    await jobLens(page, /^DOX job DONE · 5 fields$/);
    await page.screenshot({ path: path.join(artifacts, 'job-lens-done.png') });
  });

  await stepDo('check that no secret is on screen', () => assertNoSecretOnScreen(page, 'the workbench'));

  await stepDo('point dox.server.path at a missing binary', async () => {
    await clearNotifications(page);
    const file = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    settings['dox.server.path'] = '/nonexistent/doxls';
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
    await page.locator('.notifications-toasts .notification-toast .codicon-error').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_500);
    const errors = await errorToasts(page);
    if (errors.length !== 1 || !/dox\.server\.path .*\/nonexistent\/doxls/.test(errors[0])) {
      throw new Error(`expected one error naming dox.server.path, got ${JSON.stringify(errors)}`);
    }
    const actions = await page.locator('.notifications-toasts .notification-toast .monaco-button').allInnerTexts();
    if (!actions.includes('Open settings')) {
      throw new Error(`the error offers ${JSON.stringify(actions)}, not "Open settings"`);
    }
    log(`  error notification: ${normalise(errors[0])}`);
    await page.screenshot({ path: path.join(artifacts, 'server-missing.png') });
  });
}

main().then(
  () => log('all steps passed'),
  (err) => {
    console.error(`drive: FAILED: ${err.message}`);
    process.exit(1);
  },
);
