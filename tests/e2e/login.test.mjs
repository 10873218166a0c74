// Signing in and out as case workers and administrators do, in a real ponte.browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const PASSWORD = 'Ponte-demo-Lisboa-2026';

const ponte = usePonte();

async function signIn(page, email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('form[action="/login"] button[type=submit]');
}

test('a case worker signs in, changes language and signs out', async () => {
  const context = await ponte.browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${ponte.url}/profile`);
  // Not signed in: sent to the login form, in French, coming back afterwards.
  await page.waitForURL(/\/login\?next=%2Fprofile/);
  assert.equal(await page.textContent('h1'), 'Se connecter');
  await signIn(page, 'case.worker@demo.ponte.example', PASSWORD);
  await page.waitForURL(`${ponte.url}/profile`);
  // The user's own language (Portuguese) now wins over the browser's.
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  assert.match(await page.textContent('main'), /Bruno Caseworker \(demo\)/);
  // An explicit ?lang= wins for that page, and changes nothing saved.
  await page.goto(`${ponte.url}/profile?lang=fr`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('h1'), 'Votre profil');
  await page.goto(`${ponte.url}/profile`);
  assert.equal(await page.getAttribute('html', 'lang'), 'pt');
  // The switch in the header saves the choice and stays on the page.
  await page.click('.lang-switch button[value=fr]');
  await page.waitForURL(`${ponte.url}/profile`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.goto(`${ponte.url}/profile`);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.selectOption('#language', 'en');
  await page.click('main form[action="/profile/language"] button');
  await page.waitForSelector('#flash.flash');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('#flash'), /Your language has been saved/);
  await page.click('form[action="/logout"] button');
  await page.waitForURL(`${ponte.url}/`);
  // Signed out, the visitor is anonymous again: the browser's French applies.
  assert.equal((await page.textContent('.main-nav a[href="/login"]')).trim(), 'Se connecter');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wrong password is explained, and nothing else is said', async () => {
  const context = await ponte.browser.newContext({ locale: 'pt-PT' });
  const page = await context.newPage();
  await page.goto(`${ponte.url}/login`);
  await signIn(page, 'police@demo.ponte.example', 'Not-the-password-1');
  assert.equal(await page.textContent('#login-error'),
    'O endereço de correio eletrónico, a palavra-passe ou o código não está correto.');
  assert.equal(await page.inputValue('#email'), 'police@demo.ponte.example');
  assert.equal(await page.inputValue('#password'), '');
  await context.close();
});

test('an administrator must set up two-factor authentication first', async () => {
  const context = await ponte.browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${ponte.url}/login`);
  await signIn(page, 'admin@demo.ponte.example', PASSWORD);
  await page.goto(`${ponte.url}/profile`);
  await page.waitForURL(`${ponte.url}/profile/2fa`);
  assert.ok(await page.isVisible('svg.qr'));
  assert.match(await page.textContent('code.secret'), /^[A-Z2-7]{32}$/);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const [name, path, email] of [
  ['login page', '/login?lang=fr', null],
  ['profile page', '/profile', 'supervisor@demo.ponte.example'],
  ['two-factor set-up', '/profile/2fa', 'focal.point@demo.ponte.example'],
]) {
  test(`axe-core finds no serious or critical violation on the ${name}`, async () => {
    const context = await ponte.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    if (email) {
      await page.goto(`${ponte.url}/login`);
      await signIn(page, email, PASSWORD);
      await page.waitForLoadState('load');
    }
    await page.goto(`${ponte.url}${path}`);
    assert.deepEqual(await axeSerious(page), []);
    await context.close();
  });
}
