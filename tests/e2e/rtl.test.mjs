// Ponte in Arabic, right to left, as a case worker meets it on a 1280 px laptop and a 390 px
// phone: pages say lang="ar" dir="rtl", the header reads from the right (the name of Ponte on
// the right, the menu after it towards the left), no page scrolls sideways, a form's error
// summary and fields align to the right, a French name typed on an Arabic page stays left to
// right, an Arabic name on a French page is isolated, and axe-core finds no serious or critical
// violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte();
const { signedIn } = ponte;
const ar = (path) => `${ponte.url}${path}${path.includes('?') ? '&' : '?'}lang=ar`;

const PAGES = ['/', '/cases', '/cases/new', '/cases/1', '/cases/1/referrals', '/cases/1/timeline',
  '/cases/1/file/needs', '/referrals', '/work', '/knowledge', '/directory', '/profile'];

for (const width of [1280, 390]) {
  test(`Arabic pages read right to left and fit a ${width} px screen`, async () => {
    const { context, page } = await signedIn('case.worker@demo.ponte.example');
    const problems = watch(page);
    await page.setViewportSize({ width, height: 844 });
    for (const path of PAGES) {
      const res = await page.goto(ar(path));
      assert.equal(res.status(), 200, path);
      assert.equal(await page.getAttribute('html', 'lang'), 'ar', path);
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl', path);
      const w = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
        dir: getComputedStyle(document.querySelector('main')).direction,
      }));
      assert.equal(w.dir, 'rtl', path);
      assert.ok(w.page <= w.window, `${path}: the page is ${w.page} px wide in a ${w.window} px window`);
    }
    // The header is mirrored: Ponte's name on the right, the menu starting from the right.
    await page.goto(ar('/cases'));
    // On a phone the menu is a button: open it to see where it starts.
    if (width < 1280) await page.click('details.menu > summary');
    const brand = await page.locator('.brand').boundingBox();
    const first = await page.locator('.main-nav a').first().boundingBox();
    if (width >= 1280) {
      // The name and the languages on the first row, the name on the right; the menu under
      // them, its first entry on the right.
      const row = await page.locator('.header-row').boundingBox();
      const langs = await page.locator('.lang-switch').boundingBox();
      assert.ok(brand.x + brand.width > row.x + row.width - 40, 'the brand starts at the right edge');
      assert.ok(langs.x + langs.width < brand.x, 'the languages stand to the left of the brand');
      assert.ok(first.y >= brand.y + brand.height - 4, 'the menu is under the brand');
      assert.ok(first.x + first.width > row.x + row.width - 60, 'the menu starts from the right');
    } else {
      assert.ok(first.x + first.width > width / 2, 'the menu starts on the right');
    }
    // Table headers align to the start of the line: the right.
    const align = await page.evaluate(() => getComputedStyle(document.querySelector('th')).textAlign);
    assert.ok(align === 'start' || align === 'right', `th aligns ${align}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('an Arabic form aligns its error summary right, and a French name stays left to right', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example');
  await page.setViewportSize({ width: 390, height: 844 });
  // The header's switch saves Arabic, so the answer to the form is in Arabic too.
  await page.goto(`${ponte.url}/cases/new`);
  await page.click('details.menu > summary');
  await page.click('.lang-switch button[value=ar]');
  await page.waitForLoadState('load');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.fill('#prs_FirstName', 'Jean-Noël');
  await page.fill('#prs_SecondName', 'محمد');
  await page.fill('#prs_Birthdate', '2099-01-01');
  await page.click('form[action="/cases/new"] button[type=submit]');
  await page.waitForSelector('#error-summary');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const summary = await page.evaluate(() => {
    const s = document.querySelector('#error-summary');
    const r = s.getBoundingClientRect();
    const main = document.querySelector('main').getBoundingClientRect();
    const item = s.querySelector('li').getBoundingClientRect();
    return { dir: getComputedStyle(s).direction, right: r.right, mainRight: main.right,
      itemLeft: item.left, itemRight: item.right, left: r.left,
      border: getComputedStyle(s).borderRightWidth, borderLeft: getComputedStyle(s).borderLeftWidth };
  });
  assert.equal(summary.dir, 'rtl');
  assert.ok(summary.mainRight - summary.right < 60, `the summary stands on the right (${JSON.stringify(summary)})`);
  // Its coloured edge is on the right, where the lines start.
  assert.equal(summary.border, '4px');
  assert.equal(summary.borderLeft, '0px');
  // Typed text keeps its own direction (unicode-bidi: plaintext, as dir="auto").
  assert.equal(await page.inputValue('#prs_FirstName'), 'Jean-Noël');
  assert.equal(await page.inputValue('#prs_SecondName'), 'محمد');
  assert.equal(await page.$eval('#prs_FirstName', (e) => getComputedStyle(e).unicodeBidi), 'plaintext');
  await page.click('details.menu > summary');
  await page.click('.lang-switch button[value=pt]');
  await context.close();
});

test('an Arabic name on a French page is isolated in the case list', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example');
  await page.goto(`${ponte.url}/cases/new?lang=fr`);
  await page.fill('#prs_FirstName', 'محمد');
  await page.fill('#prs_SecondName', 'الأمين');
  await page.click('form[action="/cases/new"] button[type=submit]');
  await page.waitForLoadState('load');
  await page.goto(`${ponte.url}/cases?lang=fr&clear=1`);
  const bdi = await page.locator('main bdi', { hasText: 'محمد' }).count();
  assert.ok(bdi >= 1, 'the Arabic name stands in <bdi>');
  await context.close();
});

for (const width of [1280, 390]) {
  for (const path of ['/', '/cases', '/cases/new', '/cases/1', '/referrals', '/knowledge']) {
    test(`axe-core finds no serious or critical violation on ${path} in Arabic at ${width} px`, async () => {
      const { context, page } = await signedIn('supervisor@demo.ponte.example', { bypassCSP: true });
      await page.setViewportSize({ width, height: 844 });
      await page.goto(ar(path));
      assert.deepEqual(await axeSerious(page), []);
      await context.close();
    });
  }
}
