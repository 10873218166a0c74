// The observatory, as an analyst of Senegal's national committee uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { watch, usePonte } from './helpers.mjs';

const ponte = usePonte({ demo: true, settings: { require_2fa_for_flagged_roles: '0' } });

test('an analyst imports the sample, reads the dashboard in French, filters a year and downloads a chart', async () => {
  const { context, page } = await ponte.signedIn('observatory.analyst.sn@demo.ponte.example', { acceptDownloads: true });
  const problems = watch(page);
  // Import the CTDC sample for a provider of Senegal.
  await page.click('.main-nav a[href="/observatory/import"]');
  const provider = page.locator('#provider option', { hasText: 'SN-NGO' });
  await page.selectOption('#provider', await provider.getAttribute('value'));
  await page.setInputFiles('#file', 'tests/data/ctdc_format_synthetic_sample.csv');
  await page.click('form.form button[type=submit]');
  await page.locator('[role=status]', { hasText: /1\u202f000/ }).first().waitFor();
  // The dashboard, in French.
  await page.click('.main-nav a[href="/observatory"]');
  assert.equal(await page.textContent('h1'), "Tableau de bord de l'observatoire");
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.selectOption('#year', '2020');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForURL(/year=2020/);
  // The map renders, with countries coloured by their counts, and says what it shows.
  const map = page.locator('#countries-h ~ figure svg.map');
  await map.waitFor();
  assert.ok(await map.locator('path.map-2, path.map-3, path.map-4').count() > 3);
  assert.ok((await map.getAttribute('aria-labelledby')).length > 0);
  const box = await map.boundingBox();
  assert.ok(box.width > 200 && box.height > 100);
  // Charts have titles and a table of their numbers.
  const bars = page.locator('#exploitation-h ~ figure svg.chart');
  assert.match(await bars.locator('title').first().textContent(), /exploitation/i);
  await page.click('#exploitation-h ~ details summary');
  assert.ok(await page.locator('#exploitation-h ~ details tbody tr').count() >= 3);
  // The numbers behind the chart, for the year chosen.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#exploitation-h ~ .downloads a:text("CSV")'),
  ]);
  assert.equal(download.suggestedFilename(), 'ponte-exploitation-2020.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  // A byte order mark first, so that a spreadsheet program reads the accents as UTF-8.
  assert.ok(csv.startsWith('\uFEFF'), 'the file starts with a byte order mark');
  assert.match(csv.split('\r\n')[0], /^\uFEFFexploitation,Type d'exploitation,Victimes,/);
  const labour = csv.split('\r\n').find((l) => l.startsWith('forced_labour,'));
  assert.ok(labour && Number(labour.split(',')[2]) >= 5);
  // The annual report of Senegal for that year.
  await page.goto(`${ponte.url}/observatory/report?country=SN&year=2020`);
  assert.match(await page.textContent('h1'), /Sénégal, 2020/);
  assert.deepEqual(problems, []);
  await context.close();
});
