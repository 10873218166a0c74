// Screenshots of the main pages for docs/screenshots.md: a real `ponte serve` over the demo
// data (with demo cases), Debian's chromium, each role on its own start page, in English,
// French, Portuguese and Arabic, at 1280 px and on a 390 px phone. Run from the checkout
// after `make`: node tools/screenshots.mjs [out-dir [prefix]]   (default docs/screenshots; with
// a prefix, only the shots whose file name starts with it, e.g. `ar-phone-`)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { startPonte, launchBrowser, signedIn, PONTE } from '../tests/e2e/helpers.mjs';

const out = process.argv[2] || 'docs/screenshots';
const only = process.argv[3] || '';
mkdirSync(out, { recursive: true });

// Flagged roles' second factor is off so that every role signs in with the password alone.
const server = await startPonte({ demo: true, settings: { require_2fa_for_flagged_roles: '0' } });
const browser = await launchBrowser();
const DESK = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// [file, who, address ('' for where signing in lands), size, full page]
const SHOTS = [
  ['start-case-worker', 'case.worker', '', DESK, false],
  ['start-police', 'police', '', DESK, false],
  ['cases', 'supervisor', '/cases?lang=en', DESK, false],
  ['case', 'case.worker', 'CASE?lang=en', DESK, true],
  ['case-fr', 'case.worker', 'CASE?lang=fr', DESK, false],
  ['case-ar', 'case.worker', 'CASE?lang=ar', DESK, false],
  ['case-phone', 'case.worker', 'CASE?lang=pt', PHONE, false],
  ['case-new', 'case.worker', '/cases/new?lang=en', DESK, false],
  ['case-details-phone', 'case.worker', 'CASE/details/victim?lang=pt', PHONE, false],
  ['referrals', 'focal.point', '/referrals?lang=en', DESK, false],
  ['services', 'case.worker', '/services?lang=en', DESK, false],
  ['observatory', 'analyst', '/observatory?lang=en', DESK, true],
  ['observatory-ar', 'analyst', '/observatory?lang=ar', DESK, false],
  ['knowledge', 'reviewer', '/knowledge?lang=fr', DESK, false],
  ['directory', 'regional', '/directory?lang=pt', DESK, false],
  ['service', 'shelter', 'SERVICE?lang=en', DESK, false],
  ['admin-health', 'admin', '', DESK, false],
  ['menu-phone-ar', 'case.worker', '/cases?lang=ar', PHONE, false],
  // The main pages in Arabic, right to left, on a phone (docs/i18n.md).
  ['ar-phone-work', 'case.worker', '/work?lang=ar', PHONE, false],
  ['ar-phone-cases', 'supervisor', '/cases?lang=ar', PHONE, false],
  ['ar-phone-case', 'case.worker', 'CASE?lang=ar', PHONE, false],
  ['ar-phone-case-new', 'case.worker', '/cases/new?lang=ar', PHONE, false],
  ['ar-phone-referrals', 'focal.point', '/referrals?lang=ar', PHONE, false],
  ['ar-phone-proceedings', 'police', '/proceedings?lang=ar', PHONE, false],
  ['ar-phone-observatory', 'analyst', '/observatory?lang=ar', PHONE, false],
  ['ar-phone-knowledge', 'reviewer', '/knowledge?lang=ar', PHONE, false],
  ['ar-phone-admin', 'admin', '/admin/health?lang=ar', PHONE, false],
];

try {
  // The first case of the list (newest first), or the first service of the directory with
  // a page of its own (a shelter's, for its free places).
  const first = async (page, list, selector) => {
    await page.goto(`${server.url}${list}`);
    const href = await page.getAttribute(selector, 'href');
    return href.replace(/\?.*$/, '');
  };
  const expand = async (page, path) => {
    if (path.startsWith('CASE')) return (await first(page, '/cases?lang=en', 'table a[href^="/cases/"]')) + path.slice(4);
    if (path.startsWith('SERVICE')) return (await first(page, '/services?lang=en', 'a[href^="/services/"]:not([href$="/refer"])')) + path.slice(7);
    return path;
  };
  for (const [file, who, path, size, full] of SHOTS.filter(([file]) => file.startsWith(only))) {
    const email = who === 'admin' ? adminEmail() : `${who}@demo.ponte.example`;
    const { context, page } = await signedIn(browser, server, email, size);
    const target = await expand(page, path);
    if (target) {
      await page.goto(`${server.url}${target}`);
      await page.waitForLoadState('load');
    }
    await page.screenshot({ path: `${out}/${file}.png`, fullPage: full });
    console.log(`${file}.png  ${who}  ${new URL(page.url()).pathname}`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}

// The administrator the demo creates (its address is printed by `ponte init --demo`).
function adminEmail() {
  return 'admin@demo.ponte.example';
}
