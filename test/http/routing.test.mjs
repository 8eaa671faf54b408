// Routing as data: health endpoints, 404/405 as JSON, OPTIONS and CORS preflights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startShim, freshDatabase } from '../lib/harness.mjs';
import { setup, stopCleanly, rawGet } from './helpers.mjs';

let ctx;
before(async () => { ctx = await setup('http_routing'); });
after(async () => { await stopCleanly(ctx.shim); });

test('GET /healthz answers without the database', async () => {
  const res = await api(ctx.base, 'GET', '/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.body.status, 'ok');
});

test('GET /readyz checks the database', async () => {
  const res = await api(ctx.base, 'GET', '/readyz');
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ready');
});

test('an unknown route is a 404 in JSON', async () => {
  for (const p of ['/nope', '/events/1', '/accounts/x', '/api/events']) {
    const res = await api(ctx.base, 'GET', p);
    assert.equal(res.status, 404, p);
    assert.equal(res.body.code, 'not_found', p);
    assert.equal(typeof res.body.message, 'string');
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  }
});

test('{int} segments must be decimal digits', async () => {
  for (const p of ['/event/abc', '/event/-1', '/event/1.5', '/event/0x10', '/artist/1e3', '/event/1/artist/x']) {
    const res = await api(ctx.base, 'GET', p);
    assert.equal(res.status, 404, p);
    assert.equal(res.body.code, 'not_found', p);
  }
});

test('a known path with the wrong method is a 405 with Allow', async () => {
  const cases = [
    ['DELETE', '/events', ['GET']],
    ['GET', '/login', ['POST']],
    ['PATCH', '/event/1', ['GET', 'PUT', 'DELETE']],
    ['PUT', '/orders/alice', ['GET', 'POST']],
    ['POST', '/accounts', ['GET']],
  ];
  for (const [method, p, methods] of cases) {
    const res = await api(ctx.base, method, p);
    assert.equal(res.status, 405, `${method} ${p}`);
    assert.equal(res.body.code, 'method_not_allowed');
    const allow = res.headers.get('allow').split(/,\s*/);
    for (const m of methods) assert.ok(allow.includes(m), `${p}: Allow ${allow} lacks ${m}`);
  }
});

test('percent-encoded paths are matched decoded', async () => {
  const res = await api(ctx.base, 'GET', '/%65vents');
  assert.notEqual(res.status, 404);
  assert.notEqual(res.status, 405);
});

test('OPTIONS lists the methods of a path', async () => {
  const res = await api(ctx.base, 'OPTIONS', '/event/3');
  assert.equal(res.status, 204);
  assert.match(res.headers.get('allow'), /GET.*PUT.*DELETE/);
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS unless configured');
  assert.equal((await api(ctx.base, 'OPTIONS', '/nope')).status, 404);
});

test('HEAD of a GET route answers without a body', async () => {
  const res = await rawGet(ctx.shim.port, '/healthz');
  assert.equal(res.status, 200);
  const head = await fetch(ctx.base + '/healthz', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('the log has one line per request, without query strings or secrets', async () => {
  await api(ctx.base, 'POST', '/login?next=querysecret', { body: { username: 'admin', password: 'admin-password' } });
  // the line is written when the request completes, which may be after its answer arrived
  await ctx.shim.waitForOutput(/^POST \/login 200 /m);
  const log = ctx.shim.output();
  assert.match(log, /^POST \/login 200 \d+(\.\d+)?ms$/m);
  assert.doesNotMatch(log, /admin-password|querysecret|eyJ/);
});

test('CORS: preflight from an allowed origin, cached for a day', async () => {
  const database = freshDatabase('http_cors');
  const shim = await startShim(database, { env: { CORS_ORIGINS: 'https://a.example, https://b.example' } });
  try {
    const pre = await api(shim.base, 'OPTIONS', '/orders/alice', {
      headers: { Origin: 'https://b.example', 'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://b.example');
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
    assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/i);
    assert.match(pre.headers.get('access-control-allow-headers'), /Content-Type/i);
    assert.match(pre.headers.get('access-control-allow-headers'), /If-Match/i);
    assert.equal(pre.headers.get('access-control-max-age'), '86400');

    const get = await api(shim.base, 'GET', '/healthz', { headers: { Origin: 'https://a.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://a.example');
    assert.equal(get.headers.get('access-control-expose-headers'), 'ETag');

    const other = await api(shim.base, 'OPTIONS', '/events', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  } finally {
    await stopCleanly(shim);
  }
  const star = await startShim(database, { env: { CORS_ORIGINS: '*' } });
  try {
    const pre = await api(star.base, 'OPTIONS', '/events', {
      headers: { Origin: 'https://any.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-max-age'), '86400');
  } finally {
    await stopCleanly(star);
  }
});
