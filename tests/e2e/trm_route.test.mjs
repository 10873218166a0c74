// A referral across borders between two running instances, as focal points meet it in the
// browser: Portugal offers a case over the API, Niger's focal point opens it from Across
// borders, accepts it and hands it to a provider; Portugal's page shows both hops. Each page
// is checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { PONTE, DEMO_PASSWORD, startPonte, launchBrowser, watch, signedIn as signedInAs, axeSerious } from './helpers.mjs';

const settings = { require_2fa_for_flagged_roles: '0' };
let pt;
let ne;
let browser;
let referral;

const cli = (...args) => execFileSync(PONTE, args, { encoding: 'utf8' });

async function api(server, token, method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function token(server, email) {
  const r = await api(server, null, 'POST', '/api/v1/auth/login', { email, password: DEMO_PASSWORD });
  assert.equal(r.status, 200);
  return r.body.token;
}

// Until fn() is true, ten seconds at most.
async function until(fn) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('not in ten seconds');
}

before(async () => {
  pt = await startPonte({ settings });
  ne = await startPonte({ settings, init: ['--country', 'NE', '--name', 'Niger national focal point'] });
  browser = await launchBrowser();
  // The administrators exchange identities and read each other's fingerprint.
  const ids = [pt, ne].map((s) => JSON.parse(cli('peer', 'id', '--db', s.db, '--url', s.url)));
  for (const [s, other] of [[pt, ids[1]], [ne, ids[0]]]) {
    const file = join(dirname(s.db), 'peer.json');
    writeFileSync(file, JSON.stringify(other));
    cli('peer', 'add', '--db', s.db, '--identity', file, '--fingerprint', other.fingerprint);
  }
  // Portugal's focal point offers case 1 under a consent recorded for it.
  const fp = await token(pt, 'focal.point@demo.ponte.example');
  const consent = await api(pt, fp, 'POST', '/api/v1/cases/1/consents', {
    purpose: 'transnational_referral', categories: ['identity', 'victim'], legal_basis: 'consent',
    language: 'pt', text_version: 'v1', given_by: 'person', given_on: '2026-01-10',
  });
  assert.equal(consent.status, 201);
  const offer = await api(pt, fp, 'POST', '/api/v1/cases/1/transnational-referrals',
    { peer: ids[1].instance_id, consent: consent.body.id });
  assert.equal(offer.status, 201);
  referral = offer.body.id;
  const nfp = await token(ne, 'focal.point@demo.ponte.example');
  await until(async () => (await api(ne, nfp, 'GET', '/api/v1/transnational-referrals')).body.items.length === 1);
});

after(async () => {
  await browser?.close();
  assert.equal(await pt?.stop(), 0);
  assert.equal(await ne?.stop(), 0);
});

test("Niger's focal point opens the referral, accepts it and hands it to a provider", async () => {
  const { context, page } = await signedInAs(browser, ne, 'focal.point@demo.ponte.example', { bypassCSP: true });
  const problems = watch(page);
  await page.goto(`${ne.url}/trm`);
  await page.click('#received a[href^="/trm/"]');
  assert.ok(await page.isVisible('#person'));
  assert.match(await page.textContent('#route'), /Niger national focal point/);
  assert.deepEqual(await axeSerious(page), []);
  await page.click('button[data-action="accept"]');
  await page.selectOption('#assign-org', 'PT-SHELTER');
  await page.click('button[data-action="assign"]');
  assert.equal(await page.locator('#route li[data-state="assigned"]').count(), 1);
  assert.deepEqual(await axeSerious(page), []); // with the document forms of an accepted referral
  assert.deepEqual(problems, []);
  await context.close();
});

test("Portugal's page shows both hops as Niger reports them", async () => {
  const { context, page } = await signedInAs(browser, pt, 'focal.point@demo.ponte.example', { bypassCSP: true });
  const problems = watch(page);
  await until(async () => {
    await page.goto(`${pt.url}/trm/${referral}`);
    return (await page.locator('#route li[data-state="assigned"]').count()) === 1;
  });
  assert.equal(await page.locator('#route li').count(), 2);
  assert.equal(await page.getAttribute('#state', 'data-state'), 'accepted');
  assert.deepEqual(await axeSerious(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
