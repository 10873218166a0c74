// Paper (issue #18): a case worker prints a case summary for a hearing, an analyst prints the
// observatory's annual report and a release's methodology note. Printed, a page has no menu,
// no buttons and no link addresses, says which installation printed it and when, keeps its
// tables whole where they fit, and nothing is wider than the page; on screen the same pages
// pass axe-core, at 1280 and 390 px, in English and French.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watch, usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ demo: true, settings: { require_2fa_for_flagged_roles: '0' } });

// What printing the page as it stands shows: measured with the print styles applied.
async function printed(page) {
  await page.emulateMedia({ media: 'print' });
  const seen = await page.evaluate(() => {
    const shown = (el) => el && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
    const width = document.documentElement.clientWidth;
    const wider = [...document.querySelectorAll('main *')]
      .filter((el) => shown(el) && el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return {
      header: shown(document.querySelector('.site-header')),
      nav: [...document.querySelectorAll('nav, .menu')].some(shown),
      footer: shown(document.querySelector('.site-footer')),
      buttons: [...document.querySelectorAll('button, .button, form')].filter(shown).length,
      stamp: shown(document.querySelector('.print-stamp')) ? document.querySelector('.print-stamp').textContent.trim() : '',
      linkTargets: [...document.querySelectorAll('main a[href]')]
        .map((a) => getComputedStyle(a, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal' && c !== '""').length,
      tablesKept: [...document.querySelectorAll('main table')]
        .every((t) => ['avoid', 'avoid-page'].includes(getComputedStyle(t).breakInside)),
      scrollWidth: document.documentElement.scrollWidth,
      width,
      wider,
    };
  });
  await page.emulateMedia({ media: 'screen' });
  return seen;
}

function paperLike(seen, what) {
  assert.equal(seen.header, false, `${what}: the header is printed`);
  assert.equal(seen.nav, false, `${what}: a menu is printed`);
  assert.equal(seen.footer, false, `${what}: the footer is printed`);
  assert.equal(seen.buttons, 0, `${what}: buttons or forms are printed`);
  assert.match(seen.stamp, /Ponte demonstration/, `${what}: no installation in the stamp`);
  assert.match(seen.stamp, /20\d\d/, `${what}: no date in the stamp`);
  assert.equal(seen.linkTargets, 0, `${what}: link addresses are printed`);
  assert.ok(seen.tablesKept, `${what}: a table may be cut between pages`);
  assert.ok(seen.scrollWidth <= seen.width, `${what}: ${seen.scrollWidth} px wide on a ${seen.width} px page`);
  assert.deepEqual(seen.wider, [], `${what}: wider than the page`);
}

for (const width of [1280, 390]) {
  test(`at ${width} px the case summary prints as a document`, async () => {
    const { context, page } = await ponte.signedIn('case.worker@demo.ponte.example',
      { viewport: { width, height: 900 }, bypassCSP: true });
    const problems = watch(page);
    await page.goto(`${ponte.url}/cases`);
    const first = await page.locator('main table a[href^="/cases/"]').first().getAttribute('href');
    for (const lang of ['en', 'fr']) {
      await page.goto(`${ponte.url}${first}/summary?lang=${lang}`);
      assert.deepEqual(await axeSerious(page), [], `summary in ${lang}`);
      paperLike(await printed(page), `summary in ${lang}`);
    }
    // The stamp says when, in the reader's language.
    await page.emulateMedia({ media: 'print' });
    assert.match(await page.textContent('.print-stamp'), /Imprimé le/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`at ${width} px the annual report and a methodology note print as documents`, async () => {
    const { context, page } = await ponte.signedIn('analyst@demo.ponte.example',
      { viewport: { width, height: 900 }, bypassCSP: true });
    const problems = watch(page);
    await page.goto(`${ponte.url}/observatory/report?lang=en`);
    await page.selectOption('#year', { index: 1 });
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/year=/);
    assert.deepEqual(await axeSerious(page), [], 'report');
    paperLike(await printed(page), 'report');
    // The releases are in the menu; each one's note is a page, not a download.
    await page.goto(`${ponte.url}/observatory?lang=fr`);
    if (width < 800) await page.click('.menu summary');
    await page.click('.main-nav a[href="/observatory/releases"]');
    await page.click('a[href$="/methodology"] >> nth=0');
    assert.match(await page.textContent('h1'), /Note méthodologique/);
    assert.deepEqual(await axeSerious(page), [], 'methodology note');
    paperLike(await printed(page), 'methodology note');
    assert.deepEqual(problems, []);
    await context.close();
  });
}
