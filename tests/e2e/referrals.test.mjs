// Identification and a national referral, as a Lisbon case worker and a Porto shelter meet
// them: indicator screening, consent, referral, acceptance, what the shelter sees, the service
// completed, the register.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });

test('a case worker screens, refers to a shelter that accepts and completes, and the police confirm', async () => {
  const worker = await ponte.signedIn('case.worker@demo.ponte.example');
  const problems = watch(worker.page);
  let page = worker.page;
  await page.goto(`${ponte.url}/cases/1`);
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
  await page.goto(`${ponte.url}/cases/1`);
  await page.click('a[href="/cases/1?tab=protection#phase-panel"]');
  await page.click('a[href="/cases/1/referrals"]');
  // The person agrees to share identity and victim status with the shelter.
  const shelterOption = async (select) =>
    page.locator(`${select} option`, { hasText: 'Casa Porto shelter (demo)' }).first().getAttribute('value');
  await page.selectOption('#recipient_service', await shelterOption('#recipient_service'));
  await page.check('#cc-identity');
  await page.check('#cc-victim');
  await page.selectOption('#language', 'fr');
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
  const shelter = await ponte.signedIn('shelter@demo.ponte.example');
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
  // The shelter records what it gave: a night's accommodation today, with a note.
  await page.selectOption('#type', 'accommodation');
  await page.fill('#delivery-note', 'Quarto individual');
  await page.click('#delivery-form button[type=submit]');
  await page.locator('#flash.flash').waitFor();
  assert.match(await page.textContent('#delivery-list'), /Alojamento[\s\S]*Quarto individual/);
  await page.selectOption('#code-complete', 'goals_met');
  await page.fill('#note-complete', 'Alojamento seguro encontrado <script>alert(1)</script>');
  await page.click('button[data-action=complete]');
  await page.waitForURL(url);
  assert.match(await page.textContent('h1'), /Concluído/);
  assert.match(await page.textContent('.timeline'), /<script>alert\(1\)<\/script>/); // shown as text
  assert.deepEqual(shelterProblems, []);
  // The case worker sees who received what in the register.
  page = worker.page;
  await page.goto(`${ponte.url}/cases/1/referrals`);
  const register = page.locator('table').last();
  assert.match(await register.textContent(), /Casa Porto shelter for survivors/);
  // The timeline tells it all in order, in Portuguese.
  await page.goto(`${ponte.url}/cases/1/timeline`);
  const kinds = await page.locator('.case-timeline li').evaluateAll((items) => items.map((li) => li.dataset.kind));
  assert.ok(kinds.includes('delivery'), kinds.join(','));
  const order = ['screening', 'consent', 'referral', 'disclosure', 'assistance'].map((k) => kinds.indexOf(k));
  assert.ok(order.every((i) => i >= 0), kinds.join(','));
  assert.ok(order[0] < order[1] && order[1] < order[2], kinds.join(','));
  assert.match(await page.textContent('.case-timeline'), /Triagem de indicadores: indicadores de tráfico/);
  // Last, the police confirm the victim status (in Portugal only the police confirm).
  await page.goto(`${ponte.url}/cases/1`);
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

// axe-core's serious and critical violations on the page as it stands, and whether the page
// is wider than its window.
async function checkPage(page) {
  const serious = await axeSerious(page);
  const w = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  assert.ok(w.page <= w.window, `${page.url()}: ${w.page} px wide in a ${w.window} px window`);
  return serious;
}

for (const width of [1280, 390]) {
  test(`at ${width} px a shelter counts its places and a case worker refers a person from the service's page`, async () => {
    const shelter = await ponte.signedIn('shelter@demo.ponte.example', { bypassCSP: true });
    let page = shelter.page;
    await page.setViewportSize({ width, height: 844 });
    await page.goto(`${ponte.url}/services`);
    const link = page.locator('table a[href^="/services/"]', { hasText: 'Casa Porto shelter (demo)' });
    const href = await link.getAttribute('href');
    await link.click();
    await page.waitForURL(new RegExp(`${href}$`));
    assert.deepEqual(await checkPage(page), []);
    // Numbers that cannot be are explained above the form, then a count that can.
    await page.fill('#capacity', '12');
    await page.fill('#taken', '13');
    await page.click('#places-form button[type=submit]');
    await page.locator('#error-summary').waitFor();
    assert.equal(await page.getAttribute('#taken', 'aria-invalid'), 'true');
    assert.deepEqual(await checkPage(page), []);
    const problems = watch(page); // from here on, nothing refused
    await page.fill('#taken', width === 390 ? '11' : '9');
    await page.click('#places-form button[type=submit]');
    await page.locator('#flash.flash').waitFor();
    const free = width === 390 ? '1' : '3';
    assert.match(await page.textContent('#places'), new RegExp(`^${free}\\b`));
    assert.deepEqual(problems, []);
    await shelter.context.close();
    // The case worker finds the service in the menu, sees its places and refers case 1.
    const worker = await ponte.signedIn('case.worker@demo.ponte.example', { bypassCSP: true });
    page = worker.page;
    await page.setViewportSize({ width, height: 844 });
    assert.equal(await page.locator('.main-nav a[href="/services"]').count(), 1);
    await page.goto(`${ponte.url}${href}`);
    assert.match(await page.textContent('#places'), new RegExp(`^${free}\\b`));
    assert.deepEqual(await checkPage(page), []);
    await page.click('#refer-this-person');
    await page.waitForURL(/\/refer$/);
    assert.deepEqual(await checkPage(page), []);
    await page.click('#refer-form button[type=submit]'); // no case chosen
    await page.locator('#error-summary').waitFor();
    const workerProblems = watch(page);
    await page.selectOption('#case', '1');
    await page.click('#refer-form button[type=submit]');
    await page.waitForURL(/\/cases\/1\/referrals\?service=\d+/);
    assert.equal(await page.inputValue('#service_id'), href.split('/').pop());
    // Consent first, then the service; the list says what it was chosen by.
    assert.ok(await page.locator('#step-consent').boundingBox().then((c) => c.y) <
      await page.locator('#step-service').boundingBox().then((s) => s.y));
    assert.match(await page.textContent('#service-hint'), /Portugal/);
    assert.deepEqual(await checkPage(page), []);
    assert.deepEqual(workerProblems, []);
    await worker.context.close();
  });
}
