// Accounts and sessions of contract 1.1 (issue 10, items 3, 10, 11): POST /logout, POST /token,
// PUT /account/<username>, tokens bound to the account instance, usernames in any letter case,
// weak passwords, the staff role. Each test replays the attack or misuse and shows it fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, psql } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup('http_sessions', { env: { TOKEN_TTL: '600', TOKEN_MAX_AGE: '3600' } });
});
after(async () => { await stopCleanly(ctx.shim); });

const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const header = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
const signUp = async (username, password) => {
  const res = await api(ctx.base, 'POST', '/account', { body: { username, password } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.account;
};
const me = (token, username) => api(ctx.base, 'GET', `/account/${username}`, { token });

test('tokens name their key (kid) and their session (sid)', async () => {
  await signUp('kim', 'kim password');
  const token = await login(ctx.base, 'kim', 'kim password');
  assert.match(header(token).kid, /^[0-9a-f]{16}$/);
  assert.equal(typeof claims(token).sid, 'number');
  assert.equal(claims(token).sub, 'kim');
});

test('POST /logout revokes that token; {"everywhere": true} all of the account\'s', async () => {
  await signUp('lou', 'lou password');
  const [a, b, c] = [await login(ctx.base, 'lou', 'lou password'), await login(ctx.base, 'lou', 'lou password'),
    await login(ctx.base, 'lou', 'lou password')];
  const out = await api(ctx.base, 'POST', '/logout', { token: a });
  assert.equal(out.status, 200, JSON.stringify(out.body));
  assert.equal(out.body.message, 'logged out');
  assert.equal(out.headers.get('cache-control'), 'no-store');
  assert.equal((await me(a, 'lou')).status, 401);
  assert.equal((await me(b, 'lou')).status, 200);
  assert.equal((await api(ctx.base, 'POST', '/logout', { token: a })).status, 401);
  const all = await api(ctx.base, 'POST', '/logout', { token: b, body: { everywhere: true } });
  assert.equal(all.status, 200);
  assert.equal(all.body.sessions_ended, 2);
  for (const t of [b, c]) assert.equal((await me(t, 'lou')).status, 401);
  const bad = await api(ctx.base, 'POST', '/logout', { token: await login(ctx.base, 'lou', 'lou password'), body: { everywhere: 'yes' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'invalid_input');
  assert.equal((await api(ctx.base, 'POST', '/logout')).status, 401);
});

test('POST /token: a fresh token of the same session, never past TOKEN_MAX_AGE after the login', async () => {
  await signUp('max', 'max password');
  const first = await login(ctx.base, 'max', 'max password');
  const renewed = await api(ctx.base, 'POST', '/token', { token: first });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.deepEqual(Object.keys(renewed.body), ['token']);
  const second = renewed.body.token;
  assert.equal(claims(second).sid, claims(first).sid);
  assert.ok(claims(second).exp <= claims(first).iat + 3600);
  assert.equal((await me(second, 'max')).status, 200);
  // The session has 300 s left (as if the login were 3300 s ago; less than TOKEN_TTL, far more
  // than the next request needs on a loaded machine): the renewal is capped by it, and once
  // the session is over neither renewal nor its tokens work.
  psql(ctx.database, `UPDATE sessions SET expires_at = now() + interval '300 seconds' WHERE id = ${claims(first).sid}`);
  const capped = (await api(ctx.base, 'POST', '/token', { token: second })).body.token;
  const end = Number(psql(ctx.database, `SELECT floor(extract(epoch FROM expires_at)) FROM sessions WHERE id = ${claims(first).sid}`));
  assert.equal(claims(capped).exp, end);
  psql(ctx.database, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = ${claims(first).sid}`);
  const late = await api(ctx.base, 'POST', '/token', { token: capped });
  assert.equal(late.status, 401);
  assert.equal(late.body.code, 'unauthenticated');
  assert.equal((await me(capped, 'max')).status, 401);
});

test('PUT /account/<username>: the owner changes the password, older tokens are revoked', async () => {
  await signUp('pat', 'pat password');
  const old1 = await login(ctx.base, 'pat', 'pat password');
  const old2 = await login(ctx.base, 'pat', 'pat password');
  const wrong = await api(ctx.base, 'PUT', '/account/pat', { token: old1, body: { password: 'not it', new_password: 'new pat password' } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.code, 'wrong_password');
  const weak = await api(ctx.base, 'PUT', '/account/pat', { token: old1, body: { password: 'pat password', new_password: 'short' } });
  assert.equal(weak.status, 400);
  assert.equal(weak.body.code, 'weak_password');
  await signUp('quin', 'quin password');
  const other = await api(ctx.base, 'PUT', '/account/pat', { token: await login(ctx.base, 'quin', 'quin password'),
    body: { password: 'pat password', new_password: 'quin was here' } });
  assert.equal(other.status, 403);
  const done = await api(ctx.base, 'PUT', '/account/PAT', { token: old1, body: { password: 'pat password', new_password: 'new pat password' } });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.account.username, 'pat');
  for (const t of [old1, old2]) assert.equal((await me(t, 'pat')).status, 401);
  assert.equal((await me(done.body.token, 'pat')).status, 200);
  assert.equal((await api(ctx.base, 'POST', '/login', { body: { username: 'pat', password: 'pat password' } })).status, 400);
  await login(ctx.base, 'pat', 'new pat password');
});

test('a deleted account\'s token does not work for a later account of that name, not even an admin', async () => {
  const admin = await login(ctx.base, 'admin', 'admin-password');
  await signUp('reuse', 'reuse password');
  const stale = await login(ctx.base, 'reuse', 'reuse password');
  assert.equal((await api(ctx.base, 'DELETE', '/account/reuse', { token: admin })).status, 200);
  // the console makes the name an admin's, if it is free again
  psql(ctx.database, `DO $$ BEGIN PERFORM tm_create_admin('reuse', 'new admin password');
                      EXCEPTION WHEN unique_violation THEN NULL; END $$`);
  for (const p of ['/accounts', '/account/reuse', '/orders']) {
    const res = await api(ctx.base, 'GET', p, { token: stale });
    assert.equal(res.status, 401, `${p}: ${JSON.stringify(res.body)}`);
  }
});

test('usernames are unique in any letter case, accepted in any case, shown as stored', async () => {
  assert.equal((await signUp('Vera', 'vera password')).username, 'Vera');
  for (const username of ['vera', 'VERA', 'vEra']) {
    const res = await api(ctx.base, 'POST', '/account', { body: { username, password: 'other password' } });
    assert.equal(res.status, 409, username);
  }
  const token = await login(ctx.base, 'VERA', 'vera password');
  const res = await me(token, 'vera');
  assert.equal(res.status, 200);
  assert.equal(res.body.account.username, 'Vera');
  assert.equal((await api(ctx.base, 'POST', '/login', { body: { username: 'vera', password: 'vera password' } })).body.username, 'Vera');
});

test('new passwords: at least 8 characters and not the username (400 weak_password)', async () => {
  for (const [username, password] of [['wes', 'a'], ['wes', ' '], ['wes', '1234567'], ['wesley_w', 'WESLEY_W']]) {
    const res = await api(ctx.base, 'POST', '/account', { body: { username, password } });
    assert.equal(res.status, 400, `${username}/${password}`);
    assert.equal(res.body.code, 'weak_password');
    assert.equal(typeof res.body.message, 'string');
  }
  await signUp('wes', '12345678');
});

test('roles: the account JSON has "role"; staff come from the console and may not buy or administer', async () => {
  psql(ctx.database, "SELECT tm_create_staff('door', 'door password')");
  const res = await api(ctx.base, 'POST', '/login', { body: { username: 'door', password: 'door password' } });
  assert.equal(res.status, 200);
  assert.equal(res.body.role, 'staff');
  assert.equal(res.body.is_admin, 0);
  const token = res.body.token;
  assert.deepEqual((await me(token, 'door')).body.account, { username: 'door', role: 'staff', is_admin: 0, available_money: 200 });
  assert.equal((await api(ctx.base, 'GET', '/accounts', { token })).status, 403);
  assert.equal((await api(ctx.base, 'POST', '/orders/door', { token, body: { event_id: 1, tickets_bought: 1 } })).status, 403);
  const admin = await login(ctx.base, 'admin', 'admin-password');
  const roles = (await api(ctx.base, 'GET', '/accounts', { token: admin })).body.accounts.map((a) => [a.username, a.role]);
  assert.deepEqual(roles.filter(([u]) => ['admin', 'door', 'kim'].includes(u)), [['admin', 'admin'], ['door', 'staff'], ['kim', 'user']]);
});
