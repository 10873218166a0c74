// Each role signs in to the page of its work (issue #18): case workers and supervisors to
// "Action needed", police and prosecutors to the cases in proceedings, analysts to the
// observatory, reviewers to the review queue, administrators to the installation's health.
// Every start page at 1280 and 390 px: nothing wider than the screen, no serious axe-core
// violation, no console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });
const { signedIn } = ponte;

const ROLES = [
  { email: 'case.worker@demo.ponte.example', start: '/work', h1: 'A fazer', marks: '.task-counts' },
  { email: 'supervisor@demo.ponte.example', start: '/work', h1: 'A fazer', marks: '#approvals' },
  { email: 'focal.point@demo.ponte.example', start: '/work', h1: 'A fazer', marks: '#late' },
  { email: 'police@demo.ponte.example', start: '/proceedings', h1: 'Processos', marks: '#proceedings-cases' },
  { email: 'prosecutor@demo.ponte.example', start: '/proceedings', h1: 'Processos', marks: 'form[action="/proceedings"]' },
  { email: 'analyst@demo.ponte.example', start: '/observatory', marks: 'main h1' },
  { email: 'reviewer@demo.ponte.example', start: '/knowledge?status=review', marks: 'main h1' },
  { email: 'admin@demo.ponte.example', start: '/admin/health', marks: '#key-age' },
];

for (const width of [1280, 390]) {
  for (const role of ROLES) {
    test(`${role.email} signs in to ${role.start} at ${width} px`, async () => {
      const { context, page } = await signedIn(role.email, {
        viewport: { width, height: 800 }, bypassCSP: true,
      });
      const problems = watch(page);
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, role.start);
      if (role.h1) assert.equal((await page.textContent('main h1')).trim(), role.h1);
      assert.ok(await page.$(role.marks), `${role.marks} on ${role.start}`);
      // Nothing wider than the screen.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width, `${role.start} is ${wide} px wide at ${width} px`);
      assert.deepEqual(await axeSerious(page), []);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

test('a task on "Action needed" links to the page that does it', async () => {
  const { context, page } = await signedIn('supervisor@demo.ponte.example', { viewport: { width: 390, height: 800 } });
  // Every group is counted in the summary, and the summary leads to the group.
  const counts = await page.$$eval('.task-counts a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(counts.length >= 4, counts.join());
  for (const href of counts) assert.ok(await page.$(href), `${href} exists`);
  const task = await page.$('.task .task-do');
  if (task) {
    const href = await task.getAttribute('href');
    await Promise.all([page.waitForLoadState('load'), task.click()]);
    assert.equal(new URL(page.url()).pathname, href.split('#')[0]);
  }
  await context.close();
});
