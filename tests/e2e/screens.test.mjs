// Every page fits the screen it is read on (issue #18, "Fit the screen"). Each role walks every
// page it can reach from the home page, following links as a reader does, on a 390 px phone:
// no page scrolls sideways (a wide table scrolls inside its own frame), the menu is one
// button beside the name while it is closed. Each kind of page is also checked by axe-core at 390 and at
// 1280 px: no serious or critical violation. Then the menu itself: it opens and closes with the
// keyboard, holds the language switch on a phone, is always open on a laptop, and mirrors in
// Arabic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });
const { signedIn } = ponte;

// One account of each default role (src/app/demo.c), as tests/http/walk.h walks them.
const ROLES = [
  'admin@demo.ponte.example', 'focal.point@demo.ponte.example', 'case.worker@demo.ponte.example',
  'supervisor@demo.ponte.example', 'police@demo.ponte.example', 'prosecutor@demo.ponte.example',
  'analyst@demo.ponte.example', 'provider@demo.ponte.example', 'auditor@demo.ponte.example',
  'regional@demo.ponte.example', 'reviewer@demo.ponte.example', 'shelter@demo.ponte.example',
];
const PHONE = 390;
const LAPTOP = 1280;
const PER_SHAPE = 1; // pages of one form (/cases/N/...) opened per role
const COLLAPSED_MENU = 64; // px: the header with its menu closed

// Downloads, files and the same page in another language are not pages to walk.
const SKIP = ['/static/', 'lang=', '.csv', '.xlsx', '.svg', '/attachments/', '/releases/', '/export', '/logout'];
const shapeOf = (path) => path.replace(/[?#].*$/, '').replace(/\d+/g, 'N');
const AXE_SEEN = new Set(); // page shapes already checked by axe-core, across roles

for (const email of ROLES) {
  test(`every page ${email} can reach fits a ${PHONE} px phone`, async () => {
    const { context, page } = await signedIn(email, {
      viewport: { width: PHONE, height: 800 }, bypassCSP: true,
    });
    const queue = ['/'];
    const seen = new Set(queue);
    const shapes = new Map();
    const problems = [];
    for (let i = 0; i < queue.length; i++) {
      const path = queue[i];
      const res = await page.goto(ponte.url + path);
      if (res.status() !== 200) {
        problems.push(`${path}: ${res.status()}`);
        continue;
      }
      if (!(res.headers()['content-type'] || '').startsWith('text/html')) continue;
      const m = await page.evaluate(() => ({
        wide: document.documentElement.scrollWidth,
        header: document.querySelector('.site-header').getBoundingClientRect().height,
        open: document.querySelector('details.menu').open,
        links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      }));
      if (m.wide > PHONE) problems.push(`${path}: ${m.wide} px wide`);
      if (m.open || m.header >= COLLAPSED_MENU) problems.push(`${path}: the closed menu is ${m.header} px high`);
      const shape = shapeOf(path);
      if (!AXE_SEEN.has(shape)) {
        AXE_SEEN.add(shape);
        for (const p of await axeSerious(page)) problems.push(`${path} at ${PHONE} px: ${p}`);
        await page.setViewportSize({ width: LAPTOP, height: 800 });
        for (const p of await axeSerious(page)) problems.push(`${path} at ${LAPTOP} px: ${p}`);
        await page.setViewportSize({ width: PHONE, height: 800 });
      }
      for (const href of m.links) {
        const u = new URL(href, ponte.url + path);
        if (u.origin !== ponte.url) continue;
        const next = u.pathname + u.search;
        if (seen.has(next) || SKIP.some((s) => next.includes(s))) continue;
        const s = shapeOf(next);
        if ((shapes.get(s) || 0) >= PER_SHAPE) continue;
        shapes.set(s, (shapes.get(s) || 0) + 1);
        seen.add(next);
        queue.push(next);
      }
    }
    assert.ok(queue.length > 3, `${email} reached ${queue.length} pages`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the menu opens and closes with the keyboard, and holds the language switch', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example', {
    viewport: { width: PHONE, height: 800 },
  });
  await page.goto(`${ponte.url}/cases?lang=en`);
  const summary = page.locator('details.menu > summary');
  assert.equal((await summary.textContent()).trim(), 'Menu');
  assert.equal(await page.locator('.main-nav a[href="/cases"]').isVisible(), false);
  assert.equal(await page.locator('.lang-switch').isVisible(), false);
  await summary.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('details.menu').getAttribute('open'), '');
  // Grouped by task, each group under its name; the page's own entry is marked.
  const groups = await page.locator('.menu-group-name').allTextContents();
  assert.deepEqual(groups, ['Casework', 'Knowledge and contacts', 'Installation administration', 'Your account']);
  assert.equal(await page.getAttribute('.main-nav a[href="/cases"]', 'aria-current'), 'page');
  assert.equal(await page.locator('ul[aria-labelledby="menu-casework"] a[href="/work"]').isVisible(), true);
  assert.equal(await page.locator('.lang-switch button[value=fr]').isVisible(), true);
  // Open, the menu stays within the screen and pushes the page down rather than covering it.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= PHONE, `the open menu is ${wide} px wide`);
  const header = await page.locator('.site-header').boundingBox();
  const main = await page.locator('main').boundingBox();
  assert.ok(main.y >= header.y + header.height, 'the page starts under the open menu');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('details.menu').getAttribute('open'), null);
  // A case file's pages mark their section in the menu.
  await page.goto(`${ponte.url}/cases/1/timeline`);
  assert.equal(await page.getAttribute('.main-nav a[href="/cases"]', 'aria-current'), 'true');
  await context.close();
});

test('on a laptop the menu is always open, one row of groups without the button', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example', {
    viewport: { width: LAPTOP, height: 800 },
  });
  await page.goto(`${ponte.url}/work?lang=en`);
  assert.equal(await page.locator('details.menu > summary').isVisible(), false);
  assert.equal(await page.locator('.main-nav a[href="/cases"]').isVisible(), true);
  assert.equal(await page.locator('.lang-switch button[value=fr]').isVisible(), true);
  // Group names are for screen readers only here.
  assert.equal(await page.locator('#menu-casework').isVisible(), true); // clipped, not hidden
  const name = await page.locator('#menu-casework').boundingBox();
  assert.ok(name.width <= 1 && name.height <= 1, 'group names are visually hidden');
  const header = await page.locator('.site-header').boundingBox();
  assert.ok(header.height < 110, `the header is ${header.height} px high`);
  await context.close();
});

test('the menu works without JavaScript, in Arabic from the right', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example', {
    viewport: { width: PHONE, height: 800 }, javaScriptEnabled: false,
  });
  await page.goto(`${ponte.url}/cases?lang=ar`);
  const summary = await page.locator('details.menu > summary').boundingBox();
  const brand = await page.locator('.brand').boundingBox();
  assert.ok(brand.x > summary.x, 'the name stands on the right, the button on the left');
  await page.click('details.menu > summary');
  await page.click('.main-nav a[href="/referrals"]');
  assert.equal(new URL(page.url()).pathname, '/referrals');
  await context.close();
});
