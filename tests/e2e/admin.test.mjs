// Administration and audit pages as an administrator and an auditor meet them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { watch, usePonte, axeSerious } from './helpers.mjs';

// The administrator normally enrols in 2FA first (tested in login.test.mjs); here the
// policy is off so the pages themselves can be tested.
const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });
const { signedIn } = ponte;

test('an administrator adds an organisation and a user, in French', async () => {
  const { context, page } = await signedIn('admin@demo.ponte.example', { locale: 'fr-FR' });
  const problems = watch(page);
  await page.goto(`${ponte.url}/admin/organisations`);
  // Signed in, the language switch saves the user's preference and stays on the page.
  await page.click('.lang-switch button[value="fr"]');
  await page.waitForURL(`${ponte.url}/admin/organisations`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('h2#org-add-title'), 'Ajouter une organisation');
  await page.fill('#code', 'SN-CNLTP');
  await page.fill('#name', 'Cellule nationale (démo)');
  await page.selectOption('#country', 'SN');
  await page.selectOption('#type', 'CentralGovernmentOrganisation');
  await page.check('#focal_point');
  await page.click('form[action="/admin/organisations"] button');
  await page.waitForSelector('#flash:has-text("Cellule nationale")');
  assert.equal(await page.textContent('#flash'), 'Organisation Cellule nationale (démo) ajoutée.');
  assert.match(await page.textContent('table'), /Cellule nationale \(démo\)/);
  await page.goto(`${ponte.url}/admin/users`);
  await page.fill('#email', 'awa@demo.sn');
  await page.fill('#name', 'Awa <Diop> (démo)');
  await page.selectOption('#organisation', 'SN-CNLTP');
  await page.check('#role-national_focal_point');
  await page.fill('#password', 'Dakar-bridge-lanterns-9');
  await page.click('form#user-add button');
  await page.waitForSelector('#flash:has-text("Utilisateur ajouté à")');
  await page.click('text=Awa <Diop> (démo)');
  assert.equal(await page.textContent('h1'), 'Awa <Diop> (démo)');
  // Found again by a part of her name typed without its case: the name travels in the form's
  // body, never in the address.
  await page.goto(`${ponte.url}/admin/users`);
  await page.fill('#find', 'DIOP');
  await page.click('#users-find button');
  await page.waitForSelector('#users-total');
  assert.equal(page.url(), `${ponte.url}/admin/users/find`);
  assert.equal(await page.locator('#users-list tbody tr').count(), 1);
  assert.match(await page.textContent('#users-list'), /Awa <Diop> \(démo\)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an auditor filters the trail and downloads it', async () => {
  const { context, page } = await signedIn('auditor@demo.ponte.example');
  await page.goto(`${ponte.url}/audit`);
  await page.fill('#action', 'org.create');
  await page.click('form.filters button');
  await page.waitForURL(/action=org.create/);
  const rows = await page.locator('tbody tr').count();
  assert.ok(rows >= 1);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('text=Export as CSV'),
  ]);
  assert.equal(download.suggestedFilename(), 'ponte-audit.csv');
  await context.close();
});

for (const [path, email] of [
  ['/admin/users', 'admin@demo.ponte.example'],
  ['/admin/users/3', 'admin@demo.ponte.example'],
  ['/admin/organisations', 'admin@demo.ponte.example'],
  ['/admin/roles', 'admin@demo.ponte.example'],
  ['/audit', 'auditor@demo.ponte.example'],
]) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    const { context, page } = await signedIn(email, { bypassCSP: true });
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}
