// A case worker registers a case in steps: the short first step, then the case's details one
// section at a time from the task list of the case page, in English, French and Portuguese,
// on a laptop (1280 px) and a phone (390 px). Every page: no serious axe-core violation, never
// wider than the screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte();
const { signedIn } = ponte;

// The page fits its window, and axe-core finds nothing serious on it.
async function check(page, what) {
  const w = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  assert.ok(w.page <= w.window, `${what}: the page is ${w.page} px wide in a ${w.window} px window`);
  assert.deepEqual((await axeSerious(page)).map((p) => `${what}: ${p}`), []);
}

const state = (page, section) => page.getAttribute(`#state-${section}`, 'class');

// The words the walk expects on the pages, per language.
const WORDS = {
  en: { progress: /1 of 5 sections filled in/, done: /4 of 5 sections filled in/, registered: /registered/ },
  fr: { progress: /1 sections remplies sur 5/, done: /4 sections remplies sur 5/, registered: /enregistré/ },
  pt: { progress: /1 de 5 secções preenchidas/, done: /4 de 5 secções preenchidas/, registered: /registado/ },
};

for (const lang of ['en', 'fr', 'pt']) {
  for (const width of [1280, 390]) {
    test(`a case worker registers a case in steps (${lang}, ${width} px)`, async () => {
      const { context, page } = await signedIn('case.worker@demo.ponte.example', { bypassCSP: true });
      const problems = watch(page);
      // The worker's language, chosen as a user does: with the switch in the page's header.
      await page.goto(`${ponte.url}/cases/new`);
      await Promise.all([page.waitForLoadState('load'), page.click(`.lang-switch button[value="${lang}"]`)]);
      await page.setViewportSize({ width, height: 844 });
      await page.goto(`${ponte.url}/cases/new`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      // The first step asks only who the person is.
      assert.equal(await page.locator('#prs_Citizenship, #vic_TraffickingStatus, #prs_MobilePhone').count(), 0);
      await check(page, '/cases/new');
      // Nothing typed: the summary says what is missing and leads to the field.
      await page.click('form[action="/cases/new"] button[type=submit]');
      await page.locator('#error-summary').waitFor();
      await check(page, '/cases/new refused');
      await page.click('#error-summary a[href="#prs_FirstName"]');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'prs_FirstName');
      await page.fill('#prs_FirstName', 'Aminata');
      await page.fill('#prs_SecondName', 'Koné');
      await page.selectOption('#prs_Gender', 'Feminine');
      await page.fill('#estimated_age', '17');
      await page.click('form[action="/cases/new"] button[type=submit]');
      await page.waitForURL(/\/cases\/\d+$/);
      const id = page.url().match(/\/cases\/(\d+)$/)[1];
      assert.match(await page.textContent('#flash'), WORDS[lang].registered);
      // The case is usable at once; its details are a task list with each section's state.
      assert.equal(await page.locator('#details li').count(), 5);
      assert.match(await page.textContent('#details'), WORDS[lang].progress);
      assert.match(await state(page, 'person'), /in-progress/);
      assert.match(await state(page, 'victim'), /not-started/);
      await check(page, `/cases/${id}`);
      // Person: the main language, then "Save and continue" to the next section.
      await page.click(`#details a[href="/cases/${id}/details/person"]`);
      assert.equal(await page.inputValue('#prs_FirstName'), 'Aminata');
      await page.fill('#prs_PrimaryLanguage', 'bm');
      await check(page, 'person');
      await page.click('button[value=continue]');
      await page.waitForURL(new RegExp(`/cases/${id}/details/identification$`));
      // A wrong country code: refused in place, what was typed kept.
      await page.fill('#prs_Citizenship', 'Mali');
      await page.fill('#prs_IdentityNumber', 'ML-1234567');
      await page.click('button[value=continue]');
      await page.locator('#error-summary').waitFor();
      assert.equal(await page.inputValue('#prs_IdentityNumber'), 'ML-1234567');
      await check(page, 'identification refused');
      await page.fill('#prs_Citizenship', 'ML');
      await page.click('button[value=continue]');
      await page.waitForURL(new RegExp(`/cases/${id}/details/victim$`));
      await page.check('#ex-SexualExploitation');
      await page.check('#mc-DebtBondage');
      await check(page, 'victim');
      // Interrupted: the worker leaves the victim's section before saving it. What was saved
      // before stays, and the case page says where things stand.
      await page.goto(`${ponte.url}/cases/${id}`);
      assert.match(await state(page, 'person'), /complete/);
      assert.match(await state(page, 'identification'), /complete/);
      assert.match(await state(page, 'victim'), /not-started/);
      // Back to the victim's section, saved this time, and on to the last ones.
      await page.click(`#details a[href="/cases/${id}/details/victim"]`);
      await page.check('#ex-SexualExploitation');
      await page.check('#mc-DebtBondage');
      await page.check('#mr-ThroughOnlineSocialNetworks');
      await page.selectOption('#vic_RelationshipToTrafficker', 'Acquainted');
      await page.check('#sm-0');
      await page.click('button[value=continue]');
      await page.waitForURL(new RegExp(`/cases/${id}/details/contact$`));
      await check(page, 'contact');
      await page.click('button[value=continue]'); // no phone yet: saved as it is
      await page.waitForURL(new RegExp(`/cases/${id}/details/case$`));
      await check(page, 'case');
      await page.click('button[value=case]');
      await page.waitForURL(new RegExp(`/cases/${id}#details$`));
      assert.match(await page.textContent('#details'), WORDS[lang].done);
      assert.match(await state(page, 'victim'), /complete/);
      assert.match(await state(page, 'contact'), /not-started/);
      // The only errors are the deliberate 422s of the refused forms.
      assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
      await context.close();
    });
  }
}

test('a stale section is refused with what was typed kept (409)', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example', { bypassCSP: true });
  const other = await context.newPage();
  await page.goto(`${ponte.url}/cases/1/details/contact`);
  await other.goto(`${ponte.url}/cases/1/details/contact`);
  await other.fill('#prs_MobilePhone', '+351 900 000 001');
  await other.click('button[value=case]');
  await other.waitForURL(/\/cases\/1#details$/);
  await page.fill('#prs_MobilePhone', '+351 911 111 111');
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('button[value=case]')]);
  assert.equal(res.status(), 409);
  assert.match(await page.textContent('#conflict'), /\+351 900 000 001/);
  assert.equal(await page.inputValue('#prs_MobilePhone'), '+351 911 111 111');
  await check(page, 'contact, stale');
  await page.click('button[value=case]');
  await page.waitForURL(/\/cases\/1#details$/);
  await context.close();
});
