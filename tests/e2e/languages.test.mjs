// Every page each role reaches, in Spanish and in Arabic, on a 390 px phone and a 1280 px
// laptop (issues #18 and #19). Each role signs in once and follows the links of its pages from
// the home page as a reader does (one page of each shape: /cases/1 stands for /cases/N); then
// it reads the same pages in Spanish and in Arabic. On every page: it answers 200 in the
// language asked, Arabic says dir="rtl" and Spanish does not, the page is never wider than the
// screen at either width, no English sentence of the catalogue shows where the language has
// its own words for it, and a value written in the other direction (a Latin name on an Arabic
// page, an Arabic one on a Spanish page) stands isolated in <bdi> or dir="auto". axe-core
// checks each shape of page once per language at each width: no serious or critical violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { usePonte, axeSerious } from './helpers.mjs';

const ponte = usePonte({ settings: { require_2fa_for_flagged_roles: '0' } });

// One account of each default role of the demonstration (src/app/demo.c), the roles of the
// route table's checks in src/web/ (tests/http/walk.h walks them the same way).
const ROLES = [
  'case.worker@demo.ponte.example', 'supervisor@demo.ponte.example', 'police@demo.ponte.example',
  'prosecutor@demo.ponte.example', 'analyst@demo.ponte.example', 'reviewer@demo.ponte.example',
  'admin@demo.ponte.example', 'focal.point@demo.ponte.example', 'provider@demo.ponte.example',
  'shelter@demo.ponte.example', 'auditor@demo.ponte.example', 'regional@demo.ponte.example',
];
const PHONE = 390;
const LAPTOP = 1280;
// Downloads, files, signing out and the same page in another language are not pages to read.
const SKIP = ['/static/', 'lang=', '.csv', '.xlsx', '.svg', '.md', '/attachments/', '/releases/', '/export',
  '/logout', '/print'];
const shapeOf = (path) => path.replace(/[?#].*$/, '').replace(/\d+/g, 'N');

// The English words of the catalogue that a language translates differently: each msgid whose
// msgstr is set and not the same text, cut at its placeholders ({n}, {org}...) into the pieces
// a page shows as they are.
function englishOnly(lang) {
  const po = readFileSync(new URL(`../../po/${lang}.po`, import.meta.url), 'utf8');
  const words = new Set();
  const whole = new Set();
  const own = new Set(); // the language's own texts, whole
  for (const block of po.split(/\n\s*\n/)) {
    const field = (name) => {
      const m = block.match(new RegExp(`^${name} ((?:"(?:[^"\\\\]|\\\\.)*"\\s*)+)`, 'm'));
      if (!m) return null;
      return [...m[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => JSON.parse(`"${x[1]}"`)).join('');
    };
    const ids = [field('msgid'), field('msgid_plural')].filter(Boolean);
    const str = field('msgstr') ?? field('msgstr\\[0\\]');
    if (!str) continue;
    own.add(str.replace(/\s+/g, ' ').trim());
    for (const id of ids) {
      if (id === str || id === field('msgstr\\[1\\]')) continue;
      if (/[A-Za-z]{2}/.test(id) && !/[{<%]/.test(id)) whole.add(id.replace(/\s+/g, ' ').trim());
      for (const piece of id.replace(/<[^>]*>/g, ' ').split(/\{[a-z_]+\}|%[0-9$]*[sdu]/)) {
        const text = piece.replace(/\s+/g, ' ').trim();
        // A piece is English enough to find on a page when it has three words or more (a
        // single word such as "Total" or "Email" may be the language's word as well).
        if (text.split(' ').filter((w) => /[A-Za-z]{2}/.test(w)).length >= 3 && !str.includes(text)) {
          words.add(text);
        }
      }
    }
  }
  return { pieces: [...words], whole, own };
}
const ENGLISH = { es: englishOnly('es'), ar: englishOnly('ar') };
// Data that happens to be a word of the catalogue: the name `ponte init` gives the first
// administrator's account when none is given (--admin-name), a person's name as typed, shown
// as it is in every language like any other name.
const NAMES = new Set(['Administrator']);

// What the reader sees of the page: the visible text of each element (hidden ones, and text
// marked in another language such as the language switch's own names, left out), and the
// visible text that starts in the other direction than the page without being isolated.
async function reading(page) {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const rtl = document.documentElement.dir === 'rtl';
    const texts = [];
    const loose = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.replace(/\s+/g, ' ').trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('script, style, noscript, template')) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const marked = el.closest('[lang]');
      if (marked && marked.lang !== pageLang) continue;
      texts.push(text);
      // The first letter with a direction of its own decides which way the text starts.
      const first = text.match(/[A-Za-z\u00C0-\u024F]|[\u0600-\u06FF\u0750-\u077F]/);
      if (!first) continue;
      const startsLatin = /[A-Za-z\u00C0-\u024F]/.test(first[0]);
      if (startsLatin !== rtl) continue;
      if (el.closest('bdi, [dir]:not(html), input, textarea, code, kbd, samp, pre')) continue;
      loose.push(text);
    }
    return { texts, text: texts.join('\n'), loose };
  });
}

const AXE_SEEN = new Set(); // `${lang} ${shape}`: checked by axe-core already, across roles

// The same page at both widths: fits the screen, and axe-core for a shape not yet checked.
async function measure(page, lang, path, problems) {
  for (const width of [PHONE, LAPTOP]) {
    if (width !== PHONE) await page.setViewportSize({ width, height: 800 });
    const w = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
    }));
    if (w.page > w.window) problems.push(`${lang} ${path} at ${width} px: ${w.page} px wide in ${w.window}`);
    const key = `${lang} ${shapeOf(path)} ${width}`;
    if (!AXE_SEEN.has(key)) {
      AXE_SEEN.add(key);
      for (const p of await axeSerious(page)) problems.push(`${lang} ${path} at ${width} px: ${p}`);
    }
  }
  await page.setViewportSize({ width: PHONE, height: 800 });
}

for (const email of ROLES) {
  test(`every page ${email} reaches reads in Spanish and Arabic at ${PHONE} and ${LAPTOP} px`, async (t) => {
    const { context, page } = await ponte.signedIn(email, {
      viewport: { width: PHONE, height: 800 }, bypassCSP: true,
    });
    const problems = [];
    const paths = ['/'];
    for (const lang of ['es', 'ar']) {
      // Chosen as a reader does, with the switch in the menu: remembered for what follows.
      await page.goto(`${ponte.url}/`);
      await page.click('details.menu > summary');
      await Promise.all([page.waitForLoadState('load'), page.click(`.lang-switch button[value="${lang}"]`)]);
      const seen = new Set(paths);
      const shapes = new Map(paths.map((p) => [shapeOf(p), 1]));
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i];
        const res = await page.goto(ponte.url + path);
        if (res.status() !== 200) {
          problems.push(`${lang} ${path}: ${res.status()}`);
          continue;
        }
        if (!(res.headers()['content-type'] || '').startsWith('text/html')) continue;
        const html = await page.evaluate(() => ({
          lang: document.documentElement.lang, dir: document.documentElement.dir,
          links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
        }));
        if (html.lang !== lang) problems.push(`${lang} ${path}: lang="${html.lang}"`);
        if ((html.dir === 'rtl') !== (lang === 'ar')) problems.push(`${lang} ${path}: dir="${html.dir}"`);
        const seenText = await reading(page);
        // A text the catalogue holds whole (a button, a heading), or a sentence of it.
        for (const text of seenText.texts) {
          if (ENGLISH[lang].whole.has(text) && !NAMES.has(text)) problems.push(`${lang} ${path}: English "${text}"`);
        }
        for (const english of ENGLISH[lang].pieces) {
          if (seenText.text.includes(english)) problems.push(`${lang} ${path}: English "${english}"`);
        }
        // A translation is the translator's sentence whole (the Arabic one of Ponte's motto
        // starts with its name); what must be isolated is a value set in it or beside it.
        for (const text of seenText.loose) {
          if (!ENGLISH[lang].own.has(text)) problems.push(`${lang} ${path}: not isolated "${text}"`);
        }
        await measure(page, lang, path, problems);
        // The first language finds the pages; the second reads the same ones.
        if (lang !== 'es') continue;
        for (const href of html.links) {
          const u = new URL(href, ponte.url + path);
          if (u.origin !== ponte.url) continue;
          const next = u.pathname + u.search;
          if (seen.has(next) || SKIP.some((s) => next.includes(s))) continue;
          const shape = shapeOf(next);
          if (shapes.has(shape)) continue;
          shapes.set(shape, 1);
          seen.add(next);
          paths.push(next);
        }
      }
    }
    t.diagnostic(`${email}: ${paths.length} pages in each language`);
    assert.ok(paths.length > 3, `${email} reached ${paths.length} pages`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// The walk's eyes: the same reading finds the catalogue's English on an English page, and a
// Latin name left bare on an Arabic page, so a walk that finds nothing has looked.
test('the walk sees English words and a name left without isolation', async () => {
  const { context, page } = await ponte.signedIn('supervisor@demo.ponte.example');
  await page.goto(`${ponte.url}/cases/new?lang=en`);
  const english = await reading(page);
  assert.ok(english.texts.filter((t) => ENGLISH.es.whole.has(t)).length > 10, english.texts.join('|'));
  assert.ok(ENGLISH.ar.pieces.some((p) => english.text.includes(p)));
  await page.goto(`${ponte.url}/cases/new?lang=ar`);
  // As the walk reads it: a whole translation (the motto starts with Ponte) is the translator's.
  const loose = async () => (await reading(page)).loose.filter((t) => !ENGLISH.ar.own.has(t));
  assert.deepEqual(await loose(), []);
  await page.evaluate(() => {
    const p = document.createElement('p');
    p.textContent = 'Jean-Noël Dupont';
    document.querySelector('main').append(p);
  });
  assert.deepEqual(await loose(), ['Jean-Noël Dupont']);
  await context.close();
});
