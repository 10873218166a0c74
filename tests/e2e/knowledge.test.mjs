// The knowledge platform and the focal-point directory, as partner countries use them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ demo: true, settings: { require_2fa_for_flagged_roles: '0' } });
const { signedIn } = ponte;

test('a French reader finds a Portuguese practice about smugglers and downloads its evaluation', async () => {
  // Senegal's case worker reads Ponte in French.
  const { context, page } = await signedIn('case.worker.sn@demo.ponte.example', { acceptDownloads: true });
  const problems = watch(page);
  await page.click('.main-nav a[href="/knowledge"]');
  await page.fill('#q', 'passeur');
  await page.click('form[role=search] button[type=submit]');
  // Found through its French summary, shown in French, with the word highlighted.
  const hit = page.locator('.result', { hasText: 'Équipes mobiles contre les passeurs' });
  await hit.waitFor();
  assert.ok(await hit.locator('mark').count() > 0);
  // Narrow by evidence level: only evaluated practices stay.
  await page.selectOption('#f-evidence', 'evaluated');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForURL(/evidence=evaluated/);
  const titles = await page.locator('.result-title').allTextContents();
  assert.ok(titles.some((t) => t.includes('Équipes mobiles')));
  for (const meta of await page.locator('.result .meta').allTextContents()) {
    assert.match(meta, /Évaluée/);
  }
  await hit.locator('a').click();
  await page.waitForURL(/\/knowledge\/\d+$/);
  assert.equal(await page.textContent('h1'), 'Équipes mobiles contre les passeurs aux frontières (demo)');
  assert.match(await page.textContent('.meta'), /Portugais/); // the original language is named
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('.attachments a'),
  ]);
  assert.match(download.suggestedFilename(), /\.pdf$/);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an author submits a draft and a reviewer of another country publishes it', async () => {
  const author = await signedIn('supervisor.sn@demo.ponte.example');
  const page = author.page;
  await page.goto(`${ponte.url}/knowledge/new`);
  await page.click('a[href="/knowledge/new?type=practice"]');
  await page.fill('#title', 'Brigades mobiles de protection des enfants à Dakar (demo)');
  await page.fill('#summary', 'Des travailleurs sociaux accompagnent les enfants mendiants vers les centres d\'accueil.');
  await page.fill('#countries', 'sn');
  // Forgetting the evidence level is explained, in French, and nothing typed is lost.
  await page.click('form[action^="/knowledge/new"] button[type=submit]');
  assert.match(await page.textContent('#error-summary'), /Ce champ est obligatoire/);
  assert.equal(await page.inputValue('#title'), 'Brigades mobiles de protection des enfants à Dakar (demo)');
  await page.selectOption('#evidence', 'monitored');
  await page.check('#areas-protection');
  await page.check('#target_groups-children');
  await page.fill('#actors', 'Services sociaux de Dakar');
  await page.fill('#period_start', '2023');
  await page.fill('#tr_pt_title', 'Brigadas móveis de proteção das crianças em Dacar (demo)');
  await page.fill('#tr_pt_summary', 'Técnicos sociais acompanham crianças que mendigam.');
  await page.click('form[action^="/knowledge/new"] button[type=submit]');
  await page.waitForURL(/\/knowledge\/\d+$/);
  const url = page.url();
  await page.click('form[data-do="submit"] button');
  await page.waitForSelector('#flash:has-text("Soumis")');
  assert.equal(page.url(), url); // back on the item's own address, nothing added to it
  assert.equal(await page.locator('form[data-do="publish"]').count(), 0); // not the author's to publish
  await author.context.close();

  const reviewer = await signedIn('knowledge.reviewer.pt@demo.ponte.example');
  await reviewer.page.goto(`${ponte.url}/knowledge?status=review`);
  await reviewer.page.click('a:has-text("Brigadas móveis")'); // the reviewer reads Portuguese
  assert.equal(reviewer.page.url(), url);
  await reviewer.page.click('form[data-do="publish"] button');
  await reviewer.page.waitForSelector('#flash.flash');
  assert.match(await reviewer.page.textContent('#flash'), /Publicado/);
  await reviewer.page.reload(); // said once
  assert.equal(await reviewer.page.textContent('#flash'), '');
  await reviewer.context.close();

  // Every reader finds it now.
  const reader = await signedIn('case.worker.ne@demo.ponte.example');
  await reader.page.goto(`${ponte.url}/knowledge?q=brigades+dakar`);
  assert.match(await reader.page.textContent('.results'), /Brigades mobiles de protection des enfants/);
  await reader.context.close();
});

test('the directory shows Niger\'s focal point institution and who held the function', async () => {
  const { context, page } = await signedIn('case.worker.pt@demo.ponte.example');
  const problems = watch(page);
  await page.goto(`${ponte.url}/directory`);
  // The map is drawn, with Niger coloured, and its figures are also in a table.
  assert.ok(await page.locator('svg.map path[data-country="NE"]').isVisible());
  assert.notEqual(await page.getAttribute('svg.map path[data-country="NE"]', 'class'), 'map-0');
  await page.selectOption('#country', 'NE');
  await page.selectOption('#mandate', 'thb');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForURL(/country=NE/);
  const row = page.locator('tbody tr', { hasText: 'National anti-trafficking agency (demo), Niger' });
  await row.locator('a').click();
  await page.waitForURL(/\/directory\/\d+$/);
  assert.equal(await page.textContent('h1'), 'National anti-trafficking agency (demo), Niger');
  const holders = await page.locator('ol.versions li').allTextContents();
  assert.ok(holders.length >= 2, 'rotation history');
  assert.match(holders[0], /hoje/); // the current holder, in Portuguese
  assert.match(holders[holders.length - 1], /01\/03\/2019|15\/09\/2022/); // dates as Portuguese writes them
  assert.deepEqual(problems, []);
  await context.close();
});

for (const path of ['/knowledge?q=passeur', '/knowledge/1', '/knowledge/new?type=caselaw', '/directory', '/directory/1']) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    const { context, page } = await signedIn('national.focal.point.ne@demo.ponte.example', { bypassCSP: true });
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}
