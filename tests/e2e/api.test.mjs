// The JSON API against its OpenAPI document (api/openapi.json), as programs meet it: every route
// of the route table is in the document and nothing else is; every operation is called as a
// role that may, on two running instances (Portugal and Niger, peers of each other), and each
// real answer, success or error, is validated with ajv against the schema the document gives
// for its status (additional properties are refused, so a field the document does not describe
// fails). Every POST and PATCH is first sent with a member it does not take: 400 naming it,
// and the database unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { PONTE, DEMO_PASSWORD, startPonte } from './helpers.mjs';

const doc = JSON.parse(readFileSync('api/openapi.json', 'utf8'));
const settings = { require_2fa_for_flagged_roles: '0' };
const cli = (...args) => execFileSync(PONTE, args, { encoding: 'utf8' });
const PDF = '%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n';

// ---- the document's schemas, compiled once ----

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addFormat('binary', true);
ajv.addKeyword('example');
// Components are referred to as #/components/schemas/X; give them to ajv as api#/definitions/X.
const rewrite = (v) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"api#/definitions/'));
ajv.addSchema({ $id: 'api', definitions: rewrite(doc.components.schemas) });
const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(rewrite(schema)));
  return validators.get(key);
}

// A response object of an operation, following a $ref to components.responses.
function responseOf(op, status) {
  let r = op.responses[String(status)];
  if (r?.$ref) r = doc.components.responses[r.$ref.split('/').pop()];
  return r;
}

// The operation of the document a concrete request falls under.
const templates = [];
for (const [path, ops] of Object.entries(doc.paths)) {
  const re = new RegExp('^' + path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
  for (const method of Object.keys(ops)) {
    if (method === 'parameters') continue;
    templates.push({ method: method.toUpperCase(), path, re, literal: !path.includes('{') });
  }
}
function operationOf(method, url) {
  const path = url.split('?')[0];
  // A literal path wins over a template (/users/me over /users/{id}).
  const hits = templates.filter((t) => t.method === method && t.re.test(path));
  return hits.find((t) => t.literal) || hits[0];
}

const called = new Set();
const problems = [];

// ---- requests ----

async function request(server, token, method, path, body, type = 'application/json') {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = type;
  const res = await fetch(`${server.url}${path}`, {
    method, headers, body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') || '', buf };
}

// Call an operation, expect a status, and check the answer against the document.
async function call(server, token, method, path, body, want, type) {
  const r = await request(server, token, method, path, body, type);
  const where = `${method} ${path} (${server.name})`;
  const t = operationOf(method, path);
  if (!t) {
    problems.push(`${where}: no operation of the document`);
    return r;
  }
  called.add(`${t.method} ${t.path}`);
  const op = doc.paths[t.path][method.toLowerCase()];
  // A body the route takes is one the document describes, and one it refuses is not.
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body) && (want < 300 || want === 400)) {
    if (!bodySchema) {
      if (Object.keys(body).length && want < 300) problems.push(`${method} ${path}: a body the document does not describe`);
    } else {
      const v = validatorFor(bodySchema);
      const valid = v(body);
      if (want < 300 && !valid) problems.push(`${method} ${path} body: ${ajv.errorsText(v.errors, { separator: '; ' })}`);
      if (want === 400 && valid) problems.push(`${method} ${path}: the document takes the body the route refuses`);
    }
  }
  const text = r.buf.toString('utf8');
  if (process.env.API_DUMP) writeFileSync(process.env.API_DUMP, `${where} ${r.status} ${text}\n`, { flag: 'a' });
  if (r.status !== want) {
    problems.push(`${where}: ${r.status}, expected ${want}: ${text.slice(0, 400)}`);
  }
  if (r.type.startsWith('application/json')) {
    try {
      r.json = JSON.parse(text);
    } catch {
      // reported below
    }
  }
  const res = responseOf(op, r.status);
  if (!res) {
    problems.push(`${where}: status ${r.status} is not described`);
    return r;
  }
  const described = Object.keys(res.content || {});
  if (r.status === 204 || r.status === 304) {
    if (described.length) problems.push(`${where}: ${r.status} describes a body`);
    return r;
  }
  if (r.type.startsWith('application/json')) {
    try {
      r.json = JSON.parse(text);
    } catch (e) {
      problems.push(`${where}: not JSON: ${e.message}`);
      return r;
    }
    const schema = res.content?.['application/json']?.schema;
    if (!schema) {
      problems.push(`${where}: ${r.status} answers JSON with no schema`);
      return r;
    }
    const validate = validatorFor(schema);
    if (!validate(r.json)) {
      problems.push(`${where} ${r.status}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
    }
  } else if (!described.some((c) => c === '*/*' || r.type.startsWith(c.split(';')[0]))) {
    problems.push(`${where}: ${r.status} answers ${r.type}, described: ${described.join(', ')}`);
  }
  return r;
}

// Everything the database holds but the audit trail, the sessions and the delivery queues.
function snapshot(server) {
  server.tables ??= execFileSync('sqlite3', [server.db,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' " +
    "AND name NOT IN ('audit_events', 'sessions', 'trm_outbox', 'trm_inbox') ORDER BY name"], { encoding: 'utf8' })
    .trim().split('\n');
  return execFileSync('sqlite3', [server.db, server.tables.map((t) => `SELECT * FROM "${t}";`).join(' ')],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
}

// Until no message between the instances is in flight (each outbox delivered), so that what
// changes in a database is what the request did.
async function settled() {
  const pending = (s) => Number(execFileSync('sqlite3', [s.db, "SELECT count(*) FROM trm_outbox WHERE state = 'pending'"],
    { encoding: 'utf8' }).trim());
  for (let i = 0; i < 100 && [pt, ne].some((s) => s && pending(s) > 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A POST or PATCH with a JSON body: first with a member it does not take (refused with 400
// naming it, nothing changed), then as given.
async function send(server, token, method, path, body, want) {
  await settled();
  const before = snapshot(server);
  const probe = await call(server, token, method, path, { ...(body || {}), zz_not_a_field: true }, 400);
  if (probe.status === 400 && probe.json?.error?.field !== 'zz_not_a_field') {
    problems.push(`${method} ${path}: the 400 does not name the member: ${probe.buf}`);
  }
  if (snapshot(server) !== before) problems.push(`${method} ${path}: a refused body changed the database`);
  return call(server, token, method, path, body, want);
}

function multipart(name, bytes) {
  const boundary = 'XyZzy';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/pdf\r\n\r\n'),
    Buffer.from(bytes), Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

// ---- two instances, peers of each other ----

let pt;
let ne;
const tokens = {};

before(async () => {
  pt = await startPonte({ settings });
  pt.name = 'PT';
  ne = await startPonte({ settings, init: ['--country', 'NE', '--name', 'Niger national focal point'] });
  ne.name = 'NE';
  const ids = [pt, ne].map((s) => JSON.parse(cli('peer', 'id', '--db', s.db, '--url', s.url)));
  for (const [s, other] of [[pt, ids[1]], [ne, ids[0]]]) {
    const file = join(dirname(s.db), 'peer.json');
    writeFileSync(file, JSON.stringify(other));
    cli('peer', 'add', '--db', s.db, '--identity', file, '--fingerprint', other.fingerprint);
  }
  pt.peer = ids[1].instance_id;
});

after(async () => {
  assert.equal(await pt?.stop(), 0);
  assert.equal(await ne?.stop(), 0);
});

async function login(server, who) {
  const key = `${server.name}:${who}`;
  if (!tokens[key]) {
    const r = await send(server, null, 'POST', '/api/v1/auth/login',
      { email: `${who}@demo.ponte.example`, password: DEMO_PASSWORD }, 200);
    tokens[key] = r.json?.token;
    assert.ok(tokens[key], `${who} signs in on ${server.name}`);
  }
  return tokens[key];
}

// Poll until fn() is true, ten seconds at most.
async function until(fn) {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('not in ten seconds');
}

test('the document describes exactly the routes of the route table', () => {
  const routes = new Set();
  const table = readFileSync('src/app/routes.c', 'utf8');
  for (const m of table.matchAll(/\{\s*HTTP_(GET|POST|PATCH|PUT|DELETE)\s*,\s*"(\/api\/[^"]*)"/g)) {
    routes.add(`${m[1]} ${m[2]}`);
  }
  assert.ok(routes.size > 50, 'the route table is read');
  const documented = new Set(templates.map((t) => `${t.method} ${t.path}`));
  assert.deepEqual([...routes].filter((r) => !documented.has(r)), [], 'routes missing from the document');
  assert.deepEqual([...documented].filter((r) => !routes.has(r)), [], 'operations that are no route');
  // Each operation has an id, and the ids are unique; the document names its servers.
  const ids = templates.map((t) => doc.paths[t.path][t.method.toLowerCase()].operationId);
  assert.deepEqual(ids.filter((id) => !id), []);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(doc.servers?.length > 0);
});

test('every operation answers as the document describes it', async () => {
  const anon = null;
  const admin = await login(pt, 'admin');
  const cw = await login(pt, 'case.worker');
  const sup = await login(pt, 'supervisor');
  const fp = await login(pt, 'focal.point');
  const police = await login(pt, 'police');
  const shelter = await login(pt, 'shelter');
  const reviewer = await login(pt, 'reviewer');

  // The instance, the document, the caller, users.
  await call(pt, anon, 'GET', '/api/v1/instance', undefined, 200);
  await call(pt, anon, 'GET', '/api/v1/openapi.json', undefined, 200);
  await call(pt, anon, 'POST', '/api/v1/auth/login', { email: 'case.worker@demo.ponte.example', password: 'wrong' }, 401);
  await call(pt, anon, 'POST', '/api/v1/auth/login', '{"email":', 400);
  await call(pt, anon, 'GET', '/api/v1/users/me', undefined, 401);
  const me = (await call(pt, cw, 'GET', '/api/v1/users/me', undefined, 200)).json;
  await call(pt, admin, 'GET', `/api/v1/users/${me.id}`, undefined, 200);
  await call(pt, admin, 'GET', '/api/v1/users/99999', undefined, 404);
  const adminId = (await call(pt, admin, 'GET', '/api/v1/users/me', undefined, 200)).json?.id;
  await call(pt, cw, 'GET', `/api/v1/users/${adminId}`, undefined, 404);
  await call(pt, police, 'GET', `/api/v1/users/${me.id}`, undefined, 404); // another organisation
  const newWorker = (await send(pt, admin, 'POST', '/api/v1/users', {
    email: 'new.worker@demo.ponte.example', name: 'New Worker (demo)', organisation: 'PT-NGO-LX',
    roles: ['case_worker'], password: 'a long enough passphrase 42', language: 'pt',
  }, 201)).json?.id;
  // A lost phone: only an administrator resets the second factor, with a reason.
  await call(pt, cw, 'POST', `/api/v1/users/${newWorker}/2fa/reset`, { reason: 'Phone lost (demo)' }, 403);
  await call(pt, admin, 'POST', `/api/v1/users/${newWorker}/2fa/reset`, { reason: ' ' }, 422);
  await call(pt, admin, 'POST', '/api/v1/users/99999/2fa/reset', { reason: 'Phone lost (demo)' }, 404);
  await send(pt, admin, 'POST', `/api/v1/users/${newWorker}/2fa/reset`, { reason: 'Phone lost (demo)' }, 200);
  await call(pt, admin, 'POST', '/api/v1/users', { email: 'not an address', name: 'X' }, 422);

  // Cases.
  await call(pt, cw, 'GET', '/api/v1/cases?limit=2', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/cases?limit=0', undefined, 422);
  await call(pt, police, 'GET', '/api/v1/cases', undefined, 403);
  const created = await send(pt, cw, 'POST', '/api/v1/cases', {
    person: { prs_FirstName: 'Awa', prs_SecondName: 'Api (demo)', prs_Gender: 'Feminine', prs_Citizenship: ['NE', 'ML'] },
    victim: { vic_TypeOfExploitation: ['ForcedLabour'] },
  }, 201);
  const caseId = created.json?.id;
  // Finding a person by name: posted, since a name never goes in an address.
  const found = await send(pt, cw, 'POST', '/api/v1/cases/search', { name: 'Awa' }, 200);
  assert.ok(found.json?.items?.some((c) => c.id === caseId), 'the search by name finds the case');
  await call(pt, cw, 'POST', '/api/v1/cases/search', { name: '' }, 422);
  await call(pt, police, 'POST', '/api/v1/cases/search', { name: 'Awa' }, 403);
  await call(pt, cw, 'POST', '/api/v1/cases', { person: { prs_Gender: 'Somebody' } }, 422);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}`, undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/cases/99999', undefined, 404);
  await send(pt, cw, 'PATCH', `/api/v1/cases/${caseId}`,
    { version: 1, person: { prs_Birthdate: '2007-03-14' }, victim: { smuggled_migrant: false } }, 200);
  await call(pt, cw, 'PATCH', `/api/v1/cases/${caseId}`, { version: 1, phase: 'protection' }, 409);
  await call(pt, cw, 'PATCH', `/api/v1/cases/${caseId}`, { phase: 'protection' }, 422);

  // Status decisions and closures.
  await send(pt, cw, 'POST', `/api/v1/cases/${caseId}/status-decisions`,
    { status: 'presumed', decided_on: '2026-01-05', vic_TraffickingStatusDecisionMakingOrg: 'NGO', reasons: 'Indicators' }, 201);
  await call(pt, cw, 'POST', `/api/v1/cases/${caseId}/status-decisions`, { status: 'maybe' }, 422);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/status-decisions`, undefined, 200);
  const closing = await send(pt, cw, 'POST', '/api/v1/cases/3/closures',
    { cas_Status: 'Closed', cas_ReasonForCaseClosure: 'Moved abroad' }, 201);
  await call(pt, cw, 'POST', '/api/v1/cases/3/closures', { cas_Status: 'Closed', cas_ReasonForCaseClosure: 'Again' }, 409);
  await call(pt, cw, 'POST', '/api/v1/cases/4/closures', { cas_Status: 'Open' }, 422);
  await call(pt, cw, 'GET', '/api/v1/cases/3/closures', undefined, 200);
  await call(pt, cw, 'POST', `/api/v1/closures/${closing.json?.id}/approve`, undefined, 403);
  await send(pt, sup, 'POST', `/api/v1/closures/${closing.json?.id}/reject`, undefined, 200);
  await call(pt, sup, 'POST', `/api/v1/closures/${closing.json?.id}/approve`, undefined, 409);
  await call(pt, cw, 'GET', '/api/v1/cases/3/closures', undefined, 200);

  // Attachments of a case.
  const up = multipart('certificate.pdf', PDF);
  const att = await call(pt, cw, 'POST', `/api/v1/cases/${caseId}/attachments`, up.body, 201, up.type);
  const exe = multipart('tool.pdf', 'MZ\x90\x00not a pdf');
  await call(pt, cw, 'POST', `/api/v1/cases/${caseId}/attachments`, exe.body, 422, exe.type);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/attachments`, undefined, 200);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/attachments/${att.json?.id}`, undefined, 200);
  await send(pt, cw, 'POST', `/api/v1/cases/${caseId}/attachments/${att.json?.id}/remove`, undefined, 200);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/attachments/${att.json?.id}`, undefined, 404);

  // Sections of the file and of the proceedings.
  const need = await send(pt, cw, 'POST', `/api/v1/cases/${caseId}/file/needs`,
    { need: 'accommodation', urgency: 'immediate', identified_on: '2026-01-05' }, 201);
  await call(pt, cw, 'POST', `/api/v1/cases/${caseId}/file/needs`, { need: 'castle' }, 422);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/file/needs`, undefined, 200);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/file/nonsense`, undefined, 404);
  await send(pt, cw, 'PATCH', `/api/v1/cases/${caseId}/file/needs/${need.json?.id}`, { version: 1, met_on: '2026-01-06' }, 200);
  await call(pt, cw, 'PATCH', `/api/v1/cases/${caseId}/file/needs/${need.json?.id}`, { version: 1, note: 'x' }, 409);
  const hearing = await send(pt, police, 'POST', `/api/v1/cases/${caseId}/proceedings/proceedings`,
    { kind: 'criminal', person_role: 'victim', authority: 'Lisbon prosecution (demo)', opened_on: '2026-01-07', protection: ['anonymity'] }, 201);
  await call(pt, police, 'GET', `/api/v1/cases/${caseId}/proceedings/proceedings`, undefined, 200);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/proceedings/proceedings`, undefined, 403);
  await send(pt, police, 'PATCH', `/api/v1/cases/${caseId}/proceedings/proceedings/${hearing.json?.id}`,
    { version: 1, reference: 'PT-2026-77' }, 200);

  // Services, consents, national referrals, the disclosure register.
  const services = await call(pt, cw, 'GET', '/api/v1/services?type=shelter', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/services?age=200', undefined, 422);
  await send(pt, sup, 'POST', '/api/v1/services', {
    organisation: 'PT-NGO-LX', type: 'legal_aid', name: 'Legal clinic (demo)', sexes: ['Feminine'], languages: ['pt', 'fr'],
    area: 'Lisboa', phone: '+351 210 000 000', min_age: 18, max_age: 99, capacity: 4, capacity_free: 2,
  }, 201);
  await call(pt, sup, 'POST', '/api/v1/services', { organisation: 'PT-NGO-LX', type: 'castle' }, 422);
  const service = services.json?.items?.[0];
  const consent = await send(pt, cw, 'POST', `/api/v1/cases/${caseId}/consents`, {
    purpose: 'referral', recipient_id: service?.organisation?.id, categories: ['identity', 'victim'],
    legal_basis: 'consent', language: 'fr', text_version: 'PT-2026-1', given_by: 'person', given_on: '2026-01-05',
  }, 201);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/consents`, undefined, 200);
  const referral = await send(pt, cw, 'POST', '/api/v1/referrals', {
    case_id: caseId, service_id: service?.id, categories: ['identity', 'victim'], consent_id: consent.json?.id, urgency: 'urgent',
  }, 201);
  const rid = referral.json?.id;
  await call(pt, cw, 'POST', '/api/v1/referrals', { case_id: caseId }, 422);
  await send(pt, cw, 'POST', `/api/v1/referrals/${rid}/send`, undefined, 200);
  await call(pt, shelter, 'GET', `/api/v1/referrals/${rid}/case`, undefined, 403);
  await call(pt, cw, 'POST', `/api/v1/referrals/${rid}/accept`, undefined, 403);
  await call(pt, shelter, 'GET', '/api/v1/referrals?box=in', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/referrals?box=sideways', undefined, 422);
  await send(pt, shelter, 'POST', `/api/v1/referrals/${rid}/accept`, { note: 'Room ready' }, 200);
  await call(pt, shelter, 'POST', `/api/v1/referrals/${rid}/accept`, undefined, 409);
  await call(pt, shelter, 'GET', `/api/v1/referrals/${rid}`, undefined, 200);
  await call(pt, shelter, 'GET', `/api/v1/referrals/${rid}/case`, undefined, 200);
  await send(pt, shelter, 'POST', `/api/v1/referrals/${rid}/start`, undefined, 200);
  // The provider records what it gave the person; the referring side reads it.
  const today = new Date().toISOString().slice(0, 10);
  const started = await call(pt, shelter, 'GET', `/api/v1/referrals/${rid}`, undefined, 200);
  await send(pt, shelter, 'POST', `/api/v1/referrals/${rid}/deliveries`,
    { version: started.json?.version, delivered_on: today, type: 'meals', note: 'Three meals a day' }, 201);
  await call(pt, shelter, 'POST', `/api/v1/referrals/${rid}/deliveries`,
    { version: started.json?.version - 1, delivered_on: today, type: 'meals' }, 409); // a form read before it started
  await call(pt, cw, 'POST', `/api/v1/referrals/${rid}/deliveries`,
    { version: started.json?.version, delivered_on: today, type: 'meals' }, 403);
  await call(pt, cw, 'GET', `/api/v1/referrals/${rid}/deliveries`, undefined, 200);
  await call(pt, shelter, 'POST', `/api/v1/referrals/${rid}/complete`, { code: 'great' }, 422);
  await call(pt, cw, 'GET', `/api/v1/cases/${caseId}/disclosures`, undefined, 200);
  await send(pt, cw, 'POST', `/api/v1/consents/${consent.json?.id}/withdraw`, undefined, 200);
  await call(pt, cw, 'POST', `/api/v1/consents/${consent.json?.id}/withdraw`, undefined, 409);

  // Knowledge: an item written, attached, submitted, returned, published and archived.
  await call(pt, anon, 'GET', '/api/v1/knowledge', undefined, 401);
  await call(pt, cw, 'GET', '/api/v1/knowledge?lang=fr&limit=3', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/knowledge?year=1200', undefined, 422);
  const item = await send(pt, fp, 'POST', '/api/v1/knowledge', {
    type: 'practice', language: 'en', title: 'Night shelter intake (demo)', summary: 'How a night shelter takes people in.',
    body: 'Steps.', countries: ['PT'], areas: ['protection'], target_groups: ['adults'], evidence: 'monitored',
    actors: 'Shelter (demo)', period_start: 2024, translations: { fr: { title: 'Accueil de nuit (démo)', summary: 'Comment.' } },
  }, 201);
  const kid = item.json?.id;
  await call(pt, fp, 'POST', '/api/v1/knowledge', { type: 'practice' }, 422);
  await call(pt, cw, 'GET', `/api/v1/knowledge/${kid}`, undefined, 404);
  await call(pt, fp, 'GET', `/api/v1/knowledge/${kid}`, undefined, 200);
  await send(pt, fp, 'PATCH', `/api/v1/knowledge/${kid}`, { version: 1, summary: 'How a night shelter takes people in, step by step.' }, 200);
  await call(pt, fp, 'PATCH', `/api/v1/knowledge/${kid}`, { version: 1, summary: 'Stale.' }, 409);
  const kup = multipart('guide.pdf', PDF);
  await call(pt, fp, 'POST', `/api/v1/knowledge/${kid}/attachments`, kup.body, 201, kup.type);
  await call(pt, fp, 'GET', `/api/v1/knowledge/${kid}/versions`, undefined, 200);
  await send(pt, fp, 'POST', `/api/v1/knowledge/${kid}/submit`, undefined, 200);
  await call(pt, fp, 'POST', `/api/v1/knowledge/${kid}/submit`, undefined, 409);
  await call(pt, fp, 'PATCH', `/api/v1/knowledge/${kid}`, { version: 3, summary: 'In review.' }, 403);
  await send(pt, reviewer, 'POST', `/api/v1/knowledge/${kid}/return`, undefined, 200);
  await call(pt, fp, 'POST', `/api/v1/knowledge/${kid}/submit`, undefined, 200);
  await call(pt, fp, 'POST', `/api/v1/knowledge/${kid}/publish`, undefined, 403);
  await send(pt, reviewer, 'POST', `/api/v1/knowledge/${kid}/publish`, undefined, 200);
  await call(pt, cw, 'GET', `/api/v1/knowledge/${kid}`, undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/knowledge?type=practice', undefined, 200);
  await send(pt, reviewer, 'POST', `/api/v1/knowledge/${kid}/archive`, undefined, 200);

  // The focal-point directory.
  await call(pt, cw, 'GET', '/api/v1/focal-points?country=PT', undefined, 200);
  const entry = await send(pt, fp, 'POST', '/api/v1/focal-points', {
    organisation: 'PT-POL', mandate: 'smuggling', languages: ['pt', 'en'], mailbox: 'police@demo.ponte.example',
    phone: '+351 210 000 001', verified_on: '2026-01-02',
  }, 201);
  const fid = entry.json?.id;
  await call(pt, fp, 'POST', '/api/v1/focal-points', { organisation: 'PT-POL', mandate: 'castles' }, 422);
  await call(pt, cw, 'POST', '/api/v1/focal-points', { organisation: 'PT-POL', mandate: 'smuggling' }, 403);
  await call(pt, cw, 'GET', `/api/v1/focal-points/${fid}`, undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/focal-points/99999', undefined, 404);
  await send(pt, fp, 'PATCH', `/api/v1/focal-points/${fid}`, { version: 1, phone: '+351 210 000 002' }, 200);
  await call(pt, fp, 'PATCH', `/api/v1/focal-points/${fid}`, { version: 1, phone: '+351 210 000 003' }, 409);
  await send(pt, fp, 'POST', `/api/v1/focal-points/${fid}/holders`,
    { name: 'Rui Duty (demo)', position: 'Inspector', started_on: '2026-01-03' }, 201);
  await call(pt, fp, 'POST', `/api/v1/focal-points/${fid}/holders`, { name: '' }, 422);
  await call(pt, cw, 'GET', `/api/v1/focal-points/${fid}`, undefined, 200);
  await send(pt, fp, 'POST', `/api/v1/focal-points/${fid}/verify`, undefined, 200);

  // Across borders: Portugal offers case 1, Niger accepts it and hands it to a provider.
  await call(pt, fp, 'GET', '/api/v1/peers', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/peers', undefined, 403);
  const tconsent = await send(pt, fp, 'POST', '/api/v1/cases/1/consents', {
    purpose: 'transnational_referral', categories: ['identity', 'victim'], legal_basis: 'consent',
    language: 'pt', text_version: 'v1', given_by: 'person', given_on: '2026-01-10',
  }, 201);
  await call(pt, fp, 'POST', '/api/v1/cases/1/transnational-referrals', { peer: pt.peer }, 422);
  const offer = await send(pt, fp, 'POST', '/api/v1/cases/1/transnational-referrals',
    { peer: pt.peer, consent: tconsent.json?.id }, 201);
  const nfp = await login(ne, 'focal.point');
  let received;
  await until(async () => {
    const list = await call(ne, nfp, 'GET', '/api/v1/transnational-referrals', undefined, 200);
    received = list.json?.items?.[0];
    return Boolean(received);
  });
  await call(ne, nfp, 'GET', `/api/v1/transnational-referrals/${received.id}`, undefined, 200);
  await call(ne, nfp, 'GET', '/api/v1/transnational-referrals/99999', undefined, 404);
  await send(ne, nfp, 'POST', `/api/v1/transnational-referrals/${received.id}/accept`, undefined, 200);
  await call(ne, nfp, 'POST', `/api/v1/transnational-referrals/${received.id}/accept`, undefined, 409);
  await call(ne, nfp, 'POST', `/api/v1/transnational-referrals/${received.id}/fly`, undefined, 404);
  await call(ne, nfp, 'POST', `/api/v1/transnational-referrals/${received.id}/assign`, {}, 422);
  await send(pt, fp, 'POST', `/api/v1/transnational-referrals/${offer.json?.id}/documents`,
    { type: 'return_handover', fields: { departure_date: '2026-02-01', travel_documents: 'ready', escort: 'IOM (demo)' } }, 201);
  await call(pt, fp, 'POST', `/api/v1/transnational-referrals/${offer.json?.id}/documents`,
    { type: 'return_handover', fields: { travel_documents: 'lost' } }, 422);
  await until(async () => {
    const r = await call(ne, nfp, 'GET', `/api/v1/transnational-referrals/${received.id}`, undefined, 200);
    return r.json?.documents?.length > 0;
  });
  await send(ne, nfp, 'POST', `/api/v1/transnational-referrals/${received.id}/documents`,
    { type: 'return_received', fields: { received_on: '2026-02-01', received_by: 'Niamey reception centre (demo)' } }, 201);
  await until(async () => {
    const r = await call(pt, fp, 'GET', `/api/v1/transnational-referrals/${offer.json?.id}`, undefined, 200);
    return r.json?.state === 'accepted' && r.json?.documents?.length === 2;
  });
  await call(pt, fp, 'GET', '/api/v1/transnational-referrals', undefined, 200);

  // The observatory: the pages' figures, protected; a provider's own records, exact.
  await call(pt, fp, 'GET', '/api/v1/observatory/stats?by=gender,majority&year=2024', undefined, 200);
  await call(pt, fp, 'GET', '/api/v1/observatory/stats?by=gender&zz_not_a_field=1', undefined, 400);
  const csv = await call(pt, fp, 'GET', '/api/v1/observatory/stats?by=gender&format=csv', undefined, 200);
  assert.match(csv.buf.toString('utf8'), /^gender,count,flag\r?\n[^]*\n# Counts perturbed by the cell key method/);
  await call(pt, fp, 'GET', '/api/v1/observatory/stats?by=gender&format=xml', undefined, 400);
  await call(pt, cw, 'GET', '/api/v1/observatory/stats?by=gender', undefined, 403);
  const provider = await login(pt, 'provider');
  await call(pt, provider, 'GET', '/api/v1/observatory/own-stats?by=year', undefined, 200);
  await call(pt, cw, 'GET', '/api/v1/observatory/own-stats?by=year', undefined, 403);

  // Signing out.
  const spare = (await call(pt, anon, 'POST', '/api/v1/auth/login',
    { email: 'analyst@demo.ponte.example', password: DEMO_PASSWORD }, 200)).json?.token;
  await send(pt, spare, 'POST', '/api/v1/auth/logout', undefined, 204);
  await call(pt, spare, 'GET', '/api/v1/users/me', undefined, 401);

  const missing = templates.map((t) => `${t.method} ${t.path}`).filter((k) => !called.has(k));
  assert.deepEqual(missing, [], 'operations not called');
  assert.deepEqual(problems, []);
});
