// A case worker registers a presumed victim, corrects a mistake and finds the case again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte();
const { signedIn } = ponte;

test('a case worker registers a presumed victim and finds the case again', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example');
  const problems = watch(page);
  await page.goto(`${ponte.url}/cases`);
  // The demonstration cases are there, in the case worker's language (Portuguese).
  assert.match(await page.textContent('main p[role=status]'), /Processos encontrados: 6/);
  await page.click('a[href="/cases/new"]');
  await page.fill('#prs_FirstName', 'Aïcha');
  await page.fill('#prs_SecondName', 'Maïga');
  await page.selectOption('#prs_Gender', 'Feminine');
  await page.fill('#prs_Birthdate', '2099-01-01');
  await page.click('form[action="/cases/new"] button[type=submit]');
  // The mistake is explained next to the field and in the summary; nothing typed is lost.
  assert.match(await page.textContent('#error-summary'), /não pode ser no futuro/);
  assert.equal(await page.inputValue('#prs_FirstName'), 'Aïcha');
  assert.equal(await page.inputValue('#prs_Gender'), 'Feminine');
  await page.click('#error-summary a');
  await page.fill('#prs_Birthdate', '2009-02-01');
  await page.click('form[action="/cases/new"] button[type=submit]');
  await page.waitForURL(/\/cases\/\d+$/);
  assert.equal(await page.textContent('h1'), 'Aïcha Maïga');
  // Found again by its number (a name never goes in an address; the search by name is a
  // form posted apart).
  const number = page.url().match(/\/cases\/(\d+)$/)[1];
  await page.goto(`${ponte.url}/cases?q=${number}`);
  await page.click(`tbody a[href="/cases/${number}"]`);
  assert.equal(await page.textContent('h1'), 'Aïcha Maïga');
  // The only errors are the deliberate 422 of the refused form (and its console line).
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await context.close();
});

test('a police investigator has no access to social-service case data', async () => {
  const { context, page } = await signedIn('police@demo.ponte.example');
  assert.equal(await page.locator('.main-nav a[href="/cases"]').count(), 0);
  const res = await page.goto(`${ponte.url}/cases/1`);
  assert.equal(res.status(), 403);
  await context.close();
});

// Tab until the element matching selector has the focus.
async function focusOn(page, selector) {
  for (let i = 0; i < 150; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`the keyboard never reached ${selector}`);
}

test('with the keyboard only, a case worker records an immediate need from the protection tab', async () => {
  const { context, page } = await signedIn('case.worker@demo.ponte.example');
  const problems = watch(page);
  await page.goto(`${ponte.url}/cases/1`);
  await focusOn(page, 'a[href="/cases/1?tab=protection#phase-panel"]');
  await Promise.all([page.waitForURL(/tab=protection/), page.keyboard.press('Enter')]);
  await focusOn(page, 'a[href="/cases/1/file/needs"]');
  await Promise.all([page.waitForURL(/file\/needs$/), page.keyboard.press('Enter')]);
  // A wrong date first: the error is announced and the focus can reach it.
  await focusOn(page, '#need');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#need'), 'medical');
  await focusOn(page, '#urgency');
  await page.keyboard.press('ArrowDown');
  await focusOn(page, '#identified_on');
  await page.keyboard.type('2026-02-30');
  await focusOn(page, 'form.form button[type=submit]');
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForSelector('#error-summary');
  assert.match(await page.textContent('#error-summary'), /Identificada em/);
  assert.equal(await page.inputValue('#need'), 'medical');
  await focusOn(page, '#identified_on');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2026-02-10');
  await focusOn(page, 'form.form button[type=submit]');
  await Promise.all([page.waitForURL(/file\/needs$/), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('#entries'), /Cuidados médicos/);
  assert.match(await page.textContent('#entries'), /10\/02\/2026/); // the date as Portuguese writes it
  assert.ok(await page.locator('#entries time[datetime="2026-02-10"]').count() >= 1);
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await context.close();
});

test('a police investigator records proceedings without seeing the social file', async () => {
  const { context, page } = await signedIn('police@demo.ponte.example');
  const problems = watch(page);
  await page.click('.main-nav a[href="/proceedings"]');
  await page.fill('#case', '1');
  await page.click('form[action="/proceedings"] button[type=submit]');
  await page.waitForURL(/\/cases\/1\/proceedings\/proceedings$/);
  await page.selectOption('#kind', 'criminal');
  await page.selectOption('#person_role', 'witness');
  await page.fill('#authority', 'DIAP Lisboa');
  await page.fill('#opened_on', '2026-03-01');
  await page.check('#protection-video_testimony');
  await page.click('form.form button[type=submit]');
  await page.waitForURL(/\/cases\/1\/proceedings\/proceedings$/);
  assert.match(await page.textContent('#entries'), /DIAP Lisboa/);
  // The case's name is nowhere on the page; the social file stays closed.
  assert.equal(await page.locator('a[href="/cases/1"]').count(), 0);
  assert.equal((await page.goto(`${ponte.url}/cases/1/file/needs`)).status(), 403);
  assert.deepEqual(problems.filter((p) => !/403/.test(p)), []);
  await context.close();
});

// How wide a page is against the window, and a table against its frame, in CSS pixels.
const widths = (page, table) => page.evaluate((sel) => {
  const t = sel ? document.querySelector(sel) : null;
  return {
    page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
    table: t ? t.scrollWidth : 0, frame: t ? t.parentElement.clientWidth : 0,
  };
}, table);

test('the twelve columns of the proceedings fit a 1280 px laptop, and no page outgrows a 390 px phone', async () => {
  const { context, page } = await signedIn('police@demo.ponte.example');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${ponte.url}/cases/1/proceedings/proceedings`);
  await page.selectOption('#kind', 'criminal');
  await page.selectOption('#person_role', 'suspect');
  await page.fill('#authority', 'Departamento de Investigação e Ação Penal de Lisboa');
  await page.fill('#reference', 'NUIPC-1234/26.0TELSB-DIAP-LISBOA');
  await page.fill('#prosecutor', 'Dra. Maria da Conceição Albuquerque');
  await page.fill('#opened_on', '2026-03-01');
  await page.check('#protection-video_testimony');
  await page.check('#protection-anonymity');
  await page.fill('#charges', 'Tráfico de pessoas (art. 160.º CP) e auxílio à imigração ilegal');
  await page.selectOption('#verdict', 'convicted');
  await page.fill('#sentence', '8 anos de prisão efetiva');
  await page.check('#non_punishment');
  await page.click('form.form button[type=submit]');
  await page.waitForURL(/\/cases\/1\/proceedings\/proceedings$/);
  for (const lang of ['pt', 'en', 'fr']) {
    await page.goto(`${ponte.url}/cases/1/proceedings/proceedings?lang=${lang}`);
    const w = await widths(page, '#entries');
    assert.ok(w.page <= w.window, `${lang}: the page is ${w.page} px wide in a ${w.window} px window`);
    assert.ok(w.table <= w.frame, `${lang}: the table is ${w.table} px wide in a ${w.frame} px frame`);
  }
  // The non-punishment box sits on its label's line, just before it.
  const box = await page.locator('#non_punishment').boundingBox();
  const label = await page.locator('label[for=non_punishment]').boundingBox();
  assert.ok(Math.abs((box.y + box.height / 2) - (label.y + label.height / 2)) < 8, 'box and label on one line');
  assert.ok(label.x > box.x && label.x - (box.x + box.width) < 24, 'the label follows the box');
  // On a phone the table scrolls in its frame; the page itself never scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/cases/1/proceedings/proceedings', '/proceedings']) {
    await page.goto(`${ponte.url}${path}`);
    const w = await widths(page, null);
    assert.ok(w.page <= w.window, `${path}: the page is ${w.page} px wide in a ${w.window} px window`);
  }
  await context.close();
  const worker = await signedIn('case.worker@demo.ponte.example');
  await worker.page.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/cases', '/cases/new', '/cases/1', '/cases/1/details/victim', '/cases/1/referrals',
    '/cases/1/closure', '/cases/1/timeline', '/cases/1/file/needs', '/referrals', '/work']) {
    await worker.page.goto(`${ponte.url}${path}`);
    const w = await widths(worker.page, null);
    assert.ok(w.page <= w.window, `${path}: the page is ${w.page} px wide in a ${w.window} px window`);
  }
  // The victim's section offers the three victim statuses, the case's own chosen.
  await worker.page.goto(`${ponte.url}/cases/1/details/victim`);
  assert.equal(await worker.page.locator('#vic_TraffickingStatus option').count(), 3);
  assert.equal(await worker.page.inputValue('#vic_TraffickingStatus'), 'PossibleVictimOfTrafficking');
  await worker.context.close();
});

for (const path of ['/cases', '/cases/new', '/cases/1', '/cases/1/details/victim', '/cases/1/file/needs',
  '/cases/1/closure', '/cases/1/attachments']) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    const { context, page } = await signedIn('supervisor@demo.ponte.example', { bypassCSP: true });
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}

for (const width of [1280, 390]) {
  test(`at ${width} px a case worker finds a person by a name spelled another way, the name never in an address`, async () => {
    const { context, page } = await signedIn('case.worker@demo.ponte.example',
      { viewport: { width, height: 800 }, bypassCSP: true });
    const problems = watch(page);
    const addresses = [];
    page.on('request', (req) => addresses.push(req.url()));
    await page.goto(`${ponte.url}/cases`);
    assert.deepEqual(await axeSerious(page), [], '/cases');
    // Too short first: explained beside the field, in Portuguese, what was typed kept.
    await page.fill('#name', 'F');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/cases/search"] button[type=submit]')]);
    assert.match(await page.textContent('#err-name'), /duas letras/);
    assert.equal(await page.inputValue('#name'), 'F');
    assert.deepEqual(await axeSerious(page), [], 'the refused search');
    // "Fatumata Dialo" finds Fatoumata Diallo.
    await page.fill('#name', 'Fatumata Dialo');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/cases/search"] button[type=submit]')]);
    assert.equal(page.url(), `${ponte.url}/cases/search`);
    assert.match(await page.textContent('#name-search-count'), /Processos encontrados: 1/);
    assert.match(await page.textContent('#name-matches'), /Fatoumata Diallo/);
    assert.deepEqual(await axeSerious(page), [], 'the results');
    const w = await widths(page, '#name-matches');
    assert.ok(w.page <= w.window, `the page is ${w.page} px wide in a ${w.window} px window`);
    await Promise.all([page.waitForURL(/\/cases\/\d+$/), page.click('#name-matches tbody a')]);
    assert.match(await page.textContent('h1'), /Fatoumata Diallo/);
    // No address the browser asked for held the name.
    assert.deepEqual(addresses.filter((u) => /fatu|dialo|name=/i.test(decodeURIComponent(u))), []);
    assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
    await context.close();
  });
}
