// Referrals across borders as administrators and focal points meet them: this instance's
// identity and fingerprint, the wizard from a case, the Across borders page; each accessible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

// The address other countries deliver to (behind a TLS proxy, as in deploy/): without one
// the page says peers cannot register this instance, and its identity is refused.
const ponte = usePonte({
  settings: { require_2fa_for_flagged_roles: '0' },
  serve: ['--public-url', 'https://ponte.example.org'],
});
const { signedIn } = ponte;

test('an administrator finds the identity and fingerprint to read to another country', async () => {
  const { context, page } = await signedIn('admin@demo.ponte.example');
  const problems = watch(page);
  await page.click('.main-nav a[href="/admin/peers"]');
  assert.match(await page.textContent('#own-fingerprint'), /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  assert.match(await page.inputValue('#own-identity'), /"sign_key":"/);
  // A fingerprint misread: refused, explained, nothing registered.
  await page.fill('#identity', await page.inputValue('#own-identity'));
  await page.fill('#fingerprint', 'AAAA-BBBB-CCCC-DDDD');
  await page.click('#paste-form button[type=submit]');
  assert.ok(await page.isVisible('#error-summary'));
  assert.match(await page.textContent('#error-summary'), /fingerprint/);
  assert.equal(await page.locator('#peers').count(), 0);
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await context.close();
});

test('the focal point reaches the wizard from the case and is told no country is connected yet', async () => {
  const { context, page } = await signedIn('focal.point@demo.ponte.example');
  const problems = watch(page);
  await page.goto(`${ponte.url}/cases/1?tab=protection`);
  await page.click('a[href="/cases/1/transnational"]');
  assert.match(await page.textContent('main'), /instâncias parceiras/); // the focal point reads Portuguese
  await page.click('.main-nav a[href="/trm"]');
  assert.ok(await page.isVisible('#trm-title'));
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [email, path] of [['admin@demo.ponte.example', '/admin/peers'],
  ['focal.point@demo.ponte.example', '/trm'], ['focal.point@demo.ponte.example', '/cases/1/transnational']]) {
  test(`axe-core finds no serious or critical violation on ${path}`, async () => {
    const { context, page } = await signedIn(email, { bypassCSP: true });
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}
