// A case worker registers a presumed victim, corrects a mistake and finds the case again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startPonte, launchBrowser, watch, signedIn as signedInAs } from './helpers.mjs';

const require = createRequire(import.meta.url);
let server;
let browser;

before(async () => {
  server = await startPonte();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0);
});

const signedIn = (email, options) => signedInAs(browser, server, email, options);

test('a case worker registers a presumed victim and finds the case again', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example');
  const problems = watch(page);
  await page.goto(`${server.url}/cases`);
  // The demonstration cases are there, in the case worker's language (Portuguese).
  assert.match(await page.textContent('[role=status]'), /Processos encontrados: 6/);
  await page.click('a[href="/cases/new"]');
  await page.fill('#prs_FirstName', 'Aïcha');
  await page.fill('#prs_SecondName', 'Maïga');
  await page.selectOption('#prs_Gender', 'Feminine');
  await page.fill('#prs_Birthdate', '2099-01-01');
  await page.fill('#prs_Citizenship', 'ml');
  await page.check('#ex-ForcedBegging');
  await page.click('form[action="/cases"] button[type=submit]');
  // The mistake is explained next to the field and in the summary; nothing typed is lost.
  assert.match(await page.textContent('#error-summary'), /não pode ser no futuro/);
  assert.equal(await page.inputValue('#prs_FirstName'), 'Aïcha');
  assert.ok(await page.isChecked('#ex-ForcedBegging'));
  await page.click('#error-summary a');
  await page.fill('#prs_Birthdate', '2009-02-01');
  await page.click('form[action="/cases"] button[type=submit]');
  await page.waitForURL(/\/cases\/\d+$/);
  assert.equal(await page.textContent('h1'), 'Aïcha Maïga');
  // Found again by name, typed without accents.
  await page.goto(`${server.url}/cases?q=aicha+maiga`);
  assert.match(await page.textContent('[role=status]'), /: 1$/);
  await page.click('tbody a');
  assert.equal(await page.textContent('h1'), 'Aïcha Maïga');
  // The only errors are the deliberate 422 of the refused form (and its console line).
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await context.close();
});

test('a police investigator has no access to social-service case data', async () => {
  const { context, page } = await signedIn('police@demo.ponte.example');
  assert.equal(await page.locator('.main-nav a[href="/cases"]').count(), 0);
  const res = await page.goto(`${server.url}/cases/1`);
  assert.equal(res.status(), 403);
  await context.close();
});

for (const path of ['/cases', '/cases/new', '/cases/1']) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    const { context, page } = await signedIn('supervisor@demo.ponte.example', { bypassCSP: true });
    await page.goto(`${server.url}${path}`);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const results = await page.evaluate(async () => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }));
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
    await context.close();
  });
}
