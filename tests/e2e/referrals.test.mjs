// Identification and a national referral, as a Lisbon case worker and a Porto shelter meet
// them: indicator screening, consent, referral, acceptance, what the shelter sees, the service
// completed, the register.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPonte, launchBrowser, watch, signedIn } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startPonte({ settings: { require_2fa_for_flagged_roles: '0' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0);
});

test('a case worker screens, refers to a shelter that accepts and completes, and the police confirm', async () => {
  const worker = await signedIn(browser, server, 'case.worker@demo.ponte.example');
  const problems = watch(worker.page);
  let page = worker.page;
  await page.goto(`${server.url}/cases/1`);
  const name = (await page.textContent('h1')).trim();
  // Screening first, from the identification tab: two dimensions of the adult labour list.
  await page.click('a[href="/cases/1?tab=identification#phase-panel"]');
  await page.click('a[href="/cases/1/screening"]');
  await page.check('#p-deceived_nature');
  await page.check('#p-excessive_hours');
  await page.fill('#n-deceived_nature', 'Prometido trabalho num hotel');
  await page.click('form.screening button[type=submit]');
  assert.match(await page.textContent('#screening-result'), /Há indicadores de tráfico/);
  assert.match(await page.textContent('#screening-result'), /Recrutamento enganoso; Condições de exploração/);
  await page.goto(`${server.url}/cases/1`);
  await page.click('a[href="/cases/1?tab=protection#phase-panel"]');
  await page.click('a[href="/cases/1/referrals"]');
  // The person agrees to share identity and victim status with the shelter.
  const shelterOption = async (select) =>
    page.locator(`${select} option`, { hasText: 'Casa Porto shelter (demo)' }).first().getAttribute('value');
  await page.selectOption('#recipient_service', await shelterOption('#recipient_service'));
  await page.check('#cc-identity');
  await page.check('#cc-victim');
  await page.fill('#language', 'fr');
  await page.fill('#text_version', 'PT-2026-1');
  await page.fill('#given_on', '2026-01-05');
  await page.click('#consent-form button[type=submit]');
  await page.locator('#flash.flash').waitFor();
  // The referral, with the data the consent covers, then sent.
  await page.selectOption('#service_id', await shelterOption('#service_id'));
  await page.check('#rc-identity');
  await page.check('#rc-victim');
  const consent = await page.locator('#consent_id option').nth(1).getAttribute('value');
  await page.selectOption('#consent_id', consent);
  await page.click('#referral-form button[type=submit]');
  await page.waitForURL(/\/referrals\/\d+$/);
  const url = page.url();
  await page.click('button[data-action=send]');
  await page.waitForURL(url);
  assert.match(await page.textContent('h1'), /Enviado/);
  assert.ok(await page.locator('dt', { hasText: 'Resposta devida em' }).count() === 1);
  // The shelter finds it in its inbox; the person appears only once it has accepted.
  const shelter = await signedIn(browser, server, 'shelter@demo.ponte.example');
  page = shelter.page;
  const shelterProblems = watch(page);
  await page.click('.main-nav a[href="/referrals"]');
  await page.click(`a[href="${new URL(url).pathname}"]`);
  assert.equal(await page.locator('.details').count(), 0);
  await page.click('button[data-action=accept]');
  await page.waitForURL(url);
  assert.match(await page.textContent('.details'), new RegExp(name.split(' ')[0]));
  await page.click('button[data-action=start]');
  await page.waitForURL(url);
  await page.selectOption('#code-complete', 'goals_met');
  await page.fill('#note-complete', 'Alojamento seguro encontrado <script>alert(1)</script>');
  await page.click('button[data-action=complete]');
  await page.waitForURL(url);
  assert.match(await page.textContent('h1'), /Concluído/);
  assert.match(await page.textContent('.timeline'), /<script>alert\(1\)<\/script>/); // shown as text
  assert.deepEqual(shelterProblems, []);
  // The case worker sees who received what in the register.
  page = worker.page;
  await page.goto(`${server.url}/cases/1/referrals`);
  const register = page.locator('table').last();
  assert.match(await register.textContent(), /Casa Porto shelter for survivors/);
  // The timeline tells it all in order, in Portuguese.
  await page.goto(`${server.url}/cases/1/timeline`);
  const kinds = await page.locator('.case-timeline li').evaluateAll((items) => items.map((li) => li.dataset.kind));
  const order = ['screening', 'consent', 'referral', 'disclosure', 'assistance'].map((k) => kinds.indexOf(k));
  assert.ok(order.every((i) => i >= 0), kinds.join(','));
  assert.ok(order[0] < order[1] && order[1] < order[2], kinds.join(','));
  assert.match(await page.textContent('.case-timeline'), /Triagem de indicadores: indicadores de tráfico/);
  // Last, the police confirm the victim status (in Portugal only the police confirm).
  await page.goto(`${server.url}/cases/1`);
  await page.selectOption('#status', 'confirmed');
  await page.fill('#decided_on', '2026-02-01');
  await page.selectOption('#vic_TraffickingStatusDecisionMakingOrg', 'Police');
  await page.click('#decision-form button[type=submit]');
  await page.waitForLoadState('load');
  assert.match(await page.textContent('#decisions tbody'), /01\/02\/2026/); // as Portuguese writes it
  assert.ok(await page.locator('#decisions tbody time[datetime="2026-02-01"]').count() >= 1);
  assert.deepEqual(problems, []);
  await worker.context.close();
  await shelter.context.close();
});
