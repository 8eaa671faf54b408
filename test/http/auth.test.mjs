// Tokens: how they are sent (Bearer, or Basic token: as the original clients do), and
// every way of not having a good one. The extension decides; the shim carries the token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { api, login, startShim } from '../lib/harness.mjs';
import { setup, stopCleanly, basic } from './helpers.mjs';

let ctx;
let adminToken;
let aliceToken;
before(async () => {
  ctx = await setup('http_auth');
  adminToken = await login(ctx.base, 'admin', 'admin-password');
  const created = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'alice-pw' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  aliceToken = await login(ctx.base, 'alice', 'alice-pw');
});
after(async () => { await stopCleanly(ctx.shim); });

test('login answers a token, the username and is_admin', async () => {
  const res = await api(ctx.base, 'POST', '/login', { body: { username: 'admin', password: 'admin-password' } });
  assert.equal(res.status, 200);
  assert.equal(res.body.username, 'admin');
  assert.equal(res.body.is_admin, 1);
  assert.match(res.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
});

test('login: unknown user 404, wrong password 400', async () => {
  const unknown = await api(ctx.base, 'POST', '/login', { body: { username: 'nobody', password: 'x' } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, 'not_found');
  const wrong = await api(ctx.base, 'POST', '/login', { body: { username: 'alice', password: 'nope' } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.code, 'wrong_password');
});

test('Bearer and Basic token: both identify the caller', async () => {
  const bearer = await api(ctx.base, 'GET', '/account/alice', { headers: { Authorization: `Bearer ${aliceToken}` } });
  assert.equal(bearer.status, 200);
  assert.equal(bearer.body.account.username, 'alice');
  const basicEmpty = await api(ctx.base, 'GET', '/account/alice', { headers: { Authorization: basic(aliceToken) } });
  assert.equal(basicEmpty.status, 200);
  const basicAny = await api(ctx.base, 'GET', '/account/alice', { headers: { Authorization: basic(aliceToken, 'whatever') } });
  assert.equal(basicAny.status, 200);
  assert.equal(basicAny.body.account.available_money, 200);
  assert.equal(basicAny.body.account.password_hash, undefined);
});

test('no token: 401 with WWW-Authenticate: Bearer', async () => {
  for (const [method, p] of [['GET', '/accounts'], ['GET', '/account/alice'], ['GET', '/orders'],
    ['POST', '/event'], ['DELETE', '/artist/1'], ['POST', '/orders/alice']]) {
    const res = await api(ctx.base, method, p, { body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    assert.equal(res.status, 401, `${method} ${p}: ${JSON.stringify(res.body)}`);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(res.body.code, 'unauthenticated');
    assert.equal(typeof res.body.message, 'string');
  }
});

test('garbage tokens and schemes: 401, never 500', async () => {
  const headers = [
    'Bearer garbage', 'Bearer a.b.c', 'Bearer ', 'Basic !!!notbase64', 'Basic ' + Buffer.from('x:y').toString('base64'),
    'Digest abc', 'Bearer ' + aliceToken.slice(0, -2) + 'xx', 'Bearer ' + 'a'.repeat(4000),
  ];
  for (const h of headers) {
    const res = await api(ctx.base, 'GET', '/accounts', { headers: { Authorization: h } });
    assert.equal(res.status, 401, `${h.slice(0, 40)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  }
});

test('valid token, wrong role or someone else: 403', async () => {
  const users = await api(ctx.base, 'GET', '/accounts', { token: aliceToken });
  assert.equal(users.status, 403);
  assert.equal(users.body.code, 'forbidden');
  const create = await api(ctx.base, 'POST', '/event', { token: aliceToken, body: {
    name: 'X', place: 'P', city: 'C', date: '2030-01-01', price: 1, total_available_tickets: 1 } });
  assert.equal(create.status, 403);
  await api(ctx.base, 'POST', '/account', { body: { username: 'bob', password: 'bob-password' } });
  const bobs = await api(ctx.base, 'GET', '/account/bob', { token: aliceToken });
  assert.equal(bobs.status, 403);
  const adminReads = await api(ctx.base, 'GET', '/account/bob', { token: adminToken });
  assert.equal(adminReads.status, 200);
});

test('tokens work on every shim process: the key is the database\'s, no process has one', async () => {
  const other = await startShim(ctx.database, { env: { SECRET_KEY: 'another-secret-key-0123456789abcdef0123456789' } });
  try {
    const res = await api(other.base, 'GET', '/account/alice', { token: aliceToken });
    assert.equal(res.status, 200);
  } finally {
    await stopCleanly(other);
  }
});

// The token's own "exp" (seconds since the epoch); this machine's clock is the server's.
const expOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp;

test('an expired token is a 401 (TOKEN_TTL)', async () => {
  // A token is accepted while time() < exp. Its first use proves something only if its answer
  // came back before exp: then the server checked it in time, and it must be a 200. A first
  // use answered after exp (a slow machine) proves nothing, so the test tries again with a
  // token living twice as long, until the machine is fast enough for one; the wait for the
  // expiry is then derived from that token's exp, never a fixed sleep.
  let shim;
  let token;
  try {
    for (let ttl = 1; ; ttl *= 2) {
      shim = await startShim(ctx.database, { env: { TOKEN_TTL: String(ttl) } });
      token = await login(shim.base, 'alice', 'alice-pw');
      assert.ok(expOf(token) - Math.floor(Date.now() / 1000) <= ttl, 'exp is at most TOKEN_TTL ahead');
      const first = await api(shim.base, 'GET', '/account/alice', { token });
      if (Date.now() < expOf(token) * 1000) {
        assert.equal(first.status, 200, 'a token before its exp is accepted');
        break;
      }
      await stopCleanly(shim);
      shim = undefined;
    }
    // The server's time() is the kernel's coarse clock, which trails this one by up to a
    // tick: wait until a whole second after exp, when every later check is past it.
    const expired = (expOf(token) + 1) * 1000;
    while (Date.now() < expired) await new Promise((r) => setTimeout(r, expired - Date.now()));
    const res = await api(shim.base, 'GET', '/account/alice', { token });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.match(res.body.message, /expired/);
  } finally {
    if (shim) await stopCleanly(shim);
  }
});

test('a token signed with a key the database does not have is a 401, even naming its kid', async () => {
  const part = (i) => JSON.parse(Buffer.from(aliceToken.split('.')[i], 'base64url').toString());
  const unsigned = `${aliceToken.split('.')[0]}.${Buffer.from(JSON.stringify({ ...part(1), sub: 'admin' })).toString('base64url')}`;
  const forged = `${unsigned}.${createHmac('sha256', 'another-secret-key-0123456789abcdef0123456789').update(unsigned).digest('base64url')}`;
  const res = await api(ctx.base, 'GET', '/accounts', { token: forged });
  assert.equal(res.status, 401);
  assert.equal(res.body.code, 'unauthenticated');
});
