// The home page as a case worker meets it: in three languages, with a working language
// switch, with and without JavaScript, on a laptop and on a phone, with no console errors
// (which would include Content-Security-Policy violations) and no serious accessibility issue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte();

const LANGS = [
  { code: 'en', home: 'Home', heading: 'How Ponte protects the people it serves' },
  { code: 'fr', home: 'Accueil', heading: 'Comment Ponte protège les personnes qu’il sert' },
  { code: 'pt', home: 'Início', heading: 'Como a Ponte protege as pessoas que serve' },
];

for (const lang of LANGS) {
  test(`home page renders in ${lang.code} without console errors`, async () => {
    const context = await ponte.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const problems = watch(page);
    const res = await page.goto(`${ponte.url}/?lang=${lang.code}`);
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), lang.code);
    assert.equal(await page.textContent('h1'), 'Ponte demonstration (Portugal)');
    assert.equal((await page.textContent('h2')).trim(), lang.heading);
    assert.equal((await page.textContent('.main-nav a')).trim(), lang.home);
    await page.waitForLoadState('networkidle');
    // htmx loaded from our own origin despite the strict CSP.
    assert.equal(await page.evaluate(() => typeof window.htmx), 'object');
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('the language switch changes the language and remembers it', async () => {
  const context = await ponte.browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${ponte.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('.lang-switch a[hreflang="fr"]');
  await page.waitForURL(/lang=fr/);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.getAttribute('.lang-switch a[hreflang="fr"]', 'aria-current'), 'true');
  // Without ?lang= the choice is remembered.
  await page.goto(`${ponte.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.click('.lang-switch a[hreflang="pt"]');
  await page.waitForURL(/lang=pt/);
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  assert.match(await page.textContent('main'), /Esta instalação/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the browser language is followed on a first visit', async () => {
  const context = await ponte.browser.newContext({ locale: 'pt-PT' });
  const page = await context.newPage();
  await page.goto(`${ponte.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  await context.close();
});

test('everything works without JavaScript', async () => {
  const context = await ponte.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${ponte.url}/`);
  await page.click('.lang-switch a[hreflang="fr"]');
  await page.waitForURL(/lang=fr/);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.textContent('footer'), /Logiciel libre/);
  await context.close();
});

test('the layout fits a phone screen', async () => {
  const context = await ponte.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${ponte.url}/?lang=fr`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await context.close();
});

test('the error page speaks the user language', async () => {
  const context = await ponte.browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  const res = await page.goto(`${ponte.url}/missing-page`);
  assert.equal(res.status(), 404);
  assert.equal(await page.textContent('h1'), 'Page introuvable');
  await page.click('a.button');
  await page.waitForURL(`${ponte.url}/`);
  await context.close();
});

for (const path of ['/?lang=en', '/?lang=fr', '/?lang=pt', '/missing-page?lang=fr']) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    // axe is injected as a script: only this context bypasses the CSP to allow it.
    const context = await ponte.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}
