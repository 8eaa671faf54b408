// Limits per client address (issue 10, items 2 and 7) as HTTP clients meet them. The client
// address is the TCP peer (requests are sent from 127.0.0.2 and 127.0.0.3 here), or with
// TRUST_PROXY=true the last X-Forwarded-For address, which Heroku's router appends: a client
// cannot choose it by sending its own X-Forwarded-For.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { freshDatabase, startShim, psql } from '../lib/harness.mjs';
import { stopCleanly } from './helpers.mjs';

// A JSON request from a chosen local address (the server sees it as the TCP peer).
function from(localAddress, base, method, path, { body, headers = {} } = {}) {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, localAddress,
      headers: { ...headers, ...(payload ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

let database;
let direct;     // TRUST_PROXY unset
let proxied;    // TRUST_PROXY=true
before(async () => {
  database = freshDatabase('http_client_address', { signupsPerHour: 2 });
  direct = await startShim(database);
  proxied = await startShim(database, { env: { TRUST_PROXY: 'true' } });
  psql(database, "SELECT tm_create_admin('owner', 'owner password')");
});
after(async () => {
  await stopCleanly(direct);
  await stopCleanly(proxied);
});

const signUp = (addr, base, username, headers) =>
  from(addr, base, 'POST', '/account', { body: { username, password: 'a good password' }, headers });
const logIn = (addr, base, username, password, headers) =>
  from(addr, base, 'POST', '/login', { body: { username, password }, headers });

test('sign-ups: ticketmonster.signups_per_hour per TCP peer, then 429 with Retry-After', async () => {
  assert.equal((await signUp('127.0.0.2', direct.base, 'bot1')).status, 201);
  assert.equal((await signUp('127.0.0.2', direct.base, 'bot2')).status, 201);
  const third = await signUp('127.0.0.2', direct.base, 'bot3');
  assert.equal(third.status, 429, JSON.stringify(third.body));
  assert.equal(third.body.code, 'too_many_attempts');
  assert.match(third.headers['retry-after'], /^[1-9]\d*$/);
  assert.ok(Number(third.headers['retry-after']) <= 3600);
  // without TRUST_PROXY a forwarded address is ignored: still the same peer
  const spoofed = await signUp('127.0.0.2', direct.base, 'bot4', { 'X-Forwarded-For': '198.51.100.1' });
  assert.equal(spoofed.status, 429);
  // another address signs up as before
  assert.equal((await signUp('127.0.0.3', direct.base, 'human')).status, 201);
  assert.equal(psql(database, "SELECT count(*) FROM accounts WHERE username LIKE 'bot%'"), '2');
});

test('TRUST_PROXY: the last X-Forwarded-For address counts; earlier ones are the client\'s and do not', async () => {
  const via = (xff) => ({ 'X-Forwarded-For': xff });
  assert.equal((await signUp('127.0.0.2', proxied.base, 'px1', via('203.0.113.5'))).status, 201);
  assert.equal((await signUp('127.0.0.2', proxied.base, 'px2', via('10.9.9.9, 203.0.113.5'))).status, 201);
  // a client prepending addresses of its choice is still 203.0.113.5 (the router's entry)
  const spoof = await signUp('127.0.0.2', proxied.base, 'px3', via('192.0.2.200, 203.0.113.5'));
  assert.equal(spoof.status, 429, JSON.stringify(spoof.body));
  // another client behind the same router is another address
  assert.equal((await signUp('127.0.0.2', proxied.base, 'px4', via('203.0.113.6'))).status, 201);
  assert.equal(psql(database, "SELECT string_agg(client_addr || '=' || n, ',' ORDER BY client_addr) FROM " +
    "(SELECT client_addr, count(*) n FROM signups WHERE client_addr LIKE '203.%' GROUP BY 1) s"), '203.0.113.5=2,203.0.113.6=1');
});

test('10 wrong passwords from one address hold back that address only: the owner logs in from another', async () => {
  for (let i = 1; i <= 10; i++) {
    const res = await logIn('127.0.0.2', direct.base, 'owner', `guess ${i}`);
    assert.equal(res.status, 400, `attempt ${i}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.code, 'wrong_password');
  }
  const attacker = await logIn('127.0.0.2', direct.base, 'owner', 'owner password');
  assert.equal(attacker.status, 429, JSON.stringify(attacker.body));
  assert.equal(attacker.body.code, 'too_many_attempts');
  assert.match(attacker.headers['retry-after'], /^[1-9]\d*$/);
  const owner = await logIn('127.0.0.3', direct.base, 'owner', 'owner password');
  assert.equal(owner.status, 200, JSON.stringify(owner.body));
  // and again for the attacker, after the owner's success: still waiting
  assert.equal((await logIn('127.0.0.2', direct.base, 'OWNER', 'owner password')).status, 429);
});

test('an address failing on many accounts is slowed down as a whole', async () => {
  const via = { 'X-Forwarded-For': '203.0.113.99' };
  for (let i = 1; i <= 50; i++) {
    const res = await logIn('127.0.0.2', proxied.base, `nobody${i}`, 'guess', via);
    assert.equal(res.status, 404, `attempt ${i}: ${JSON.stringify(res.body)}`);
  }
  const blocked = await logIn('127.0.0.2', proxied.base, 'owner', 'owner password', via);
  assert.equal(blocked.status, 429, JSON.stringify(blocked.body));
  assert.match(blocked.body.message, /from this address/);
  assert.equal((await logIn('127.0.0.2', proxied.base, 'owner', 'owner password', { 'X-Forwarded-For': '203.0.113.98' })).status, 200);
});
