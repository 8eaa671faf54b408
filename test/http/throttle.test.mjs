// Failed logins are throttled per account (issue 6): a wrong password is still 400, the
// 11th attempt within the window is 429 with Retry-After, and other accounts go on as before.
// A wrong password is counted in the database, so every shim process sees the same count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, psql, startShim } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup('http_throttle');
  for (const username of ['victim', 'bystander', 'recovers']) {
    const created = await api(ctx.base, 'POST', '/account', { body: { username, password: `${username}-pw` } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
});
after(async () => { await stopCleanly(ctx.shim); });

const attempt = (base, username, password) => api(base, 'POST', '/login', { body: { username, password } });

test('wrong password: 400 wrong_password, counted in the database', async () => {
  const res = await attempt(ctx.base, 'victim', 'nope');
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.code, 'wrong_password');
  assert.equal(res.body.message, 'wrong password');
  assert.equal(res.headers.get('retry-after'), null);
  assert.equal(psql(ctx.database, "SELECT failures FROM login_failures WHERE username = 'victim'"), '1');
});

test('10 failures, then 429 too_many_attempts with Retry-After, even for the right password', async () => {
  for (let i = 2; i <= 10; i++) {
    const res = await attempt(ctx.base, 'victim', `nope ${i}`);
    assert.equal(res.status, 400, `attempt ${i}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.code, 'wrong_password');
  }
  for (const password of ['nope 11', 'victim-pw']) {
    const res = await attempt(ctx.base, 'victim', password);
    assert.equal(res.status, 429, JSON.stringify(res.body));
    assert.equal(res.body.code, 'too_many_attempts');
    assert.match(res.body.detail, /^Try again in \d+ seconds\.$/);
    const retryAfter = res.headers.get('retry-after');
    assert.match(retryAfter, /^[1-9]\d*$/);
    assert.ok(Number(retryAfter) <= 300, retryAfter);
    assert.equal(res.body.detail, `Try again in ${retryAfter} seconds.`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  }
  // refused attempts neither count nor move the window
  assert.equal(psql(ctx.database, "SELECT failures FROM login_failures WHERE username = 'victim'"), '10');
});

test('another account is unaffected', async () => {
  const wrong = await attempt(ctx.base, 'bystander', 'nope');
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.code, 'wrong_password');
  const token = await login(ctx.base, 'bystander', 'bystander-pw');
  assert.equal((await api(ctx.base, 'GET', '/account/bystander', { token })).status, 200);
  const unknown = await attempt(ctx.base, 'nobody', 'nope');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, 'not_found');
});

test('the lockout is shared by every shim process', async () => {
  const other = await startShim(ctx.database);
  try {
    const res = await attempt(other.base, 'victim', 'victim-pw');
    assert.equal(res.status, 429, JSON.stringify(res.body));
    assert.equal(res.body.code, 'too_many_attempts');
  } finally {
    await stopCleanly(other);
  }
});

test('after the window, login works again and a success resets the count', async () => {
  psql(ctx.database, "UPDATE login_failures SET window_start = window_start - interval '5 minutes' WHERE username = 'victim'");
  const token = await login(ctx.base, 'victim', 'victim-pw');
  assert.ok(token);
  assert.equal(psql(ctx.database, "SELECT count(*) FROM login_failures WHERE username = 'victim'"), '0');
  for (let i = 1; i <= 9; i++) assert.equal((await attempt(ctx.base, 'recovers', 'nope')).status, 400);
  await login(ctx.base, 'recovers', 'recovers-pw');
  for (let i = 1; i <= 10; i++) assert.equal((await attempt(ctx.base, 'recovers', 'nope')).status, 400, `after reset ${i}`);
  assert.equal((await attempt(ctx.base, 'recovers', 'nope')).status, 429);
});

test('the WARNING reaches the shim even when the role asks for errors only', async () => {
  psql(ctx.database, `ALTER ROLE tm_app IN DATABASE ${ctx.database} SET client_min_messages = error`);
  const other = await startShim(ctx.database);
  try {
    const res = await attempt(other.base, 'bystander', 'nope');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 'wrong_password');
  } finally {
    await stopCleanly(other);
    psql(ctx.database, `ALTER ROLE tm_app IN DATABASE ${ctx.database} RESET client_min_messages`);
  }
});
