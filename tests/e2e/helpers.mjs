// Start a real `ponte serve` on a free loopback port with a fresh demo database, and launch
// Debian's chromium through playwright-core. Nothing is downloaded.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const PONTE = process.env.PONTE_BIN || 'build/ponte';

// settings: rows of the settings table to change before starting (e.g. the 2FA policy).
// demo: also run `ponte demo` (seven countries, knowledge items, directory; no cases).
// init: more arguments to `ponte init` (e.g. ['--country', 'NE', '--name', 'Niger']).
// serve: more arguments to `ponte serve` (e.g. ['--public-url', 'https://ponte.example.org']).
export async function startPonte({ settings = {}, demo = false, init = [], serve = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-e2e-'));
  const db = join(dir, 'ponte.db');
  execFileSync(PONTE, ['init', '--db', db, '--demo', ...init], { stdio: 'ignore' });
  if (demo) {
    execFileSync(PONTE, ['demo', '--db', db, '--cases', '0', '--password', DEMO_PASSWORD], { stdio: 'ignore' });
  }
  for (const [key, value] of Object.entries(settings)) {
    execFileSync('sqlite3', [db, `UPDATE settings SET value = '${value}' WHERE key = '${key}'`]);
  }
  const proc = spawn(PONTE, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...serve], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('ponte did not start: ' + text)), 10000);
    proc.stderr.on('data', (chunk) => {
      text += chunk;
      const m = text.match(/"event":"listening".*?"port":(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`ponte exited with ${code}: ${text}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    async stop() {
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      proc.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

// Collect console errors, page errors and failed responses of a page.
export function watch(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.url().includes('/missing-page')) problems.push(`${res.status()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => problems.push(`failed: ${req.url()}`));
  return problems;
}

export const DEMO_PASSWORD = 'Ponte-demo-Lisboa-2026';

// A new browser context signed in as email (demo password) through the login form.
export async function signedIn(browser, server, email, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForLoadState('load');
  return { context, page };
}

// The set-up most files share: one `ponte serve` (startPonte's options) and one browser for
// the whole file, started before its first test and stopped after its last, the server
// required to exit 0 on SIGTERM. Call it at the top of a test file; what it returns is
// filled in once the file's tests run:
//   const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });
//   const { context, page } = await ponte.signedIn('case.worker@demo.ponte.example');
//   await page.goto(ponte.url + '/cases');
export function usePonte(options = {}) {
  const ponte = {
    server: null,
    browser: null,
    get url() {
      return ponte.server.url;
    },
    get db() {
      return ponte.server.db;
    },
    signedIn: (email, contextOptions) => signedIn(ponte.browser, ponte.server, email, contextOptions),
  };
  before(async () => {
    ponte.server = await startPonte(options);
    ponte.browser = await launchBrowser();
  });
  after(async () => {
    await ponte.browser?.close();
    assert.equal(await ponte.server?.stop(), 0, 'ponte serve exits 0 on SIGTERM');
  });
  return ponte;
}

// axe-core's serious and critical violations on the page as it stands (WCAG 2.1 A and AA and
// axe's best practices), one line each: rule, help, the first nodes. The page's context
// needs bypassCSP to take the script. rules: axe rules to change (e.g. one disabled).
export async function axeSerious(page, rules = undefined) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(async (rules) => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    ...(rules ? { rules } : {}),
  }), rules);
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

// How wide the page is against its window, in CSS pixels: { page, window }. A page fits when
// page <= window (it never scrolls sideways).
export async function pageWidth(page) {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
  }));
}
