// PostgreSQL's own errors never reach a client with their text (issue 10, item 16). The audit
// saw an internal failure whose SQLSTATE happened to be 42501 (a library that could not load)
// answered 403 with PostgreSQL's message, file paths included. Only the extension's own
// errors (marked by it: extension/ticketmonster.h) carry their message to the client; anything
// else is a 500 `internal`, or for the few SQLSTATEs that say what happened to the request
// (invalid input, conflict, busy), that status with a message of the shim's; the details go to
// the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, psql } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup('http_internal_errors');
});
after(async () => { await stopCleanly(ctx.shim); });

const logShows = (pattern) => ctx.shim.waitForOutput(pattern);

test("PostgreSQL's 42501 (the web role lost EXECUTE) is a 500 internal, not a 403 with its text", async () => {
  psql(ctx.database, 'REVOKE EXECUTE ON FUNCTION tm_artists() FROM ticketmonster_web');
  try {
    const res = await api(ctx.base, 'GET', '/artists');
    assert.equal(res.status, 500, JSON.stringify(res.body));
    assert.deepEqual(res.body, { message: 'internal error', code: 'internal' });
    // The operator still learns what happened.
    await logShows(/internal error 42501 from PostgreSQL: permission denied for function tm_artists/);
  } finally {
    psql(ctx.database, 'GRANT EXECUTE ON FUNCTION tm_artists() TO ticketmonster_web');
  }
  assert.equal((await api(ctx.base, 'GET', '/artists')).status, 200);
});

test("PostgreSQL's invalid input is still a 400, without PostgreSQL's wording", async () => {
  // {int} is all digits, but too large for an integer: PostgreSQL's cast fails with 22003.
  const res = await api(ctx.base, 'GET', '/event/99999999999999999999');
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.deepEqual(res.body, { message: 'invalid input', code: 'invalid_input' });
  await logShows(/answered error 22003 from PostgreSQL: value "99999999999999999999" is out of range/);
});

test("the extension's own errors keep their message, whatever their SQLSTATE", async () => {
  const created = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'alice-password' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = (await api(ctx.base, 'POST', '/login', { body: { username: 'alice', password: 'alice-password' } })).body.token;
  // 42501 raised by the extension: a real 403 with its own message.
  const forbidden = await api(ctx.base, 'GET', '/accounts', { token });
  assert.equal(forbidden.status, 403, JSON.stringify(forbidden.body));
  assert.equal(forbidden.body.code, 'forbidden');
  assert.notEqual(forbidden.body.message, 'internal error');
  // 22023 and P0002 of the extension, with their messages.
  const invalid = await api(ctx.base, 'POST', '/login', { body: { username: 'alice' } });
  assert.equal(invalid.status, 400);
  assert.match(invalid.body.message, /password/);
  const missing = await api(ctx.base, 'GET', '/artist/424242');
  assert.equal(missing.status, 404);
  assert.notEqual(missing.body.message, 'internal error');
});
