// A frontend written for the original app, replayed in Chromium through a page our own shim
// serves (test/browser/legacy-client/, as STATIC_DIR) with LEGACY_CLIENTS=true: after POST
// /login it reads the balance and the admin flag with a token-less GET /account/<name>,
// buys with the token as HTTP Basic "token:", a cart as one request per line, and builds
// every URL with a base ending in '/' (so every path starts with '//'). Issue 9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, freshDatabase, startShim, api, login } from '../lib/harness.mjs';
import { launchChromium, watchCsp, PAGE_WAIT_MS } from './chromium.mjs';

const STATIC_DIR = path.join(ROOT, 'test/browser/legacy-client');
const DATABASE = 'tm_browser_legacy';
let shim;
let browser;
let adminToken;
const events = {};

before(async () => {
  freshDatabase(DATABASE);
  shim = await startShim(DATABASE, { env: { LEGACY_CLIENTS: 'true', STATIC_DIR } });
  adminToken = await login(shim.base, 'admin', 'admin-password');
  for (const [key, body] of [
    ['jazz', { name: 'Jazz Cellar', place: 'Jamboree', city: 'Barcelona', date: '2031-04-04', price: 30, total_available_tickets: 50 }],
    ['folk', { name: 'Folk Square', place: 'Plaça Major', city: 'Vic', date: '2031-05-05', price: 25, total_available_tickets: 40 }],
  ]) {
    const res = await api(shim.base, 'POST', '/event', { token: adminToken, body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    events[key] = res.body.event;
  }
  assert.equal((await api(shim.base, 'POST', '/account', { body: { username: 'lena', password: 'lena-password' } })).status, 201);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await shim?.stop();
});

// A page on `base` that records every API request (method, path as sent, Authorization) and
// every console or page error.
async function openClient(t, base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Under the shim's Content-Security-Policy: a violation fails the test (chromium.mjs).
  const cspViolations = await watchCsp(context, page);
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  const requests = [];
  const errors = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.resourceType() === 'xhr') requests.push([r.method(), url.pathname, r.headers().authorization ?? null]);
  });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  t.after(async () => {
    assert.deepEqual(await cspViolations(), [], 'Content-Security-Policy violations');
    await context.close();
  });
  await page.goto(`${base}/`);
  return { page, requests, errors };
}

async function logIn(page, username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who', { hasText: username }).waitFor();
}

const text = (page, id) => page.locator(`#${id}`).innerText();

test('a user: login, the token-less account read, a cart bought one request per line, the balance read again', async (t) => {
  const { page, requests, errors } = await openClient(t, shim.base);
  await logIn(page, 'lena', 'lena-password');
  await page.locator('#money', { hasText: '200' }).waitFor();
  assert.equal(await text(page, 'role'), 'user');
  assert.equal(await text(page, 'error'), '');

  await page.getByRole('button', { name: `Add ${events.jazz.name}` }).click();
  await page.getByRole('button', { name: `Add ${events.jazz.name}` }).click();
  await page.getByRole('button', { name: `Add ${events.folk.name}` }).click();
  await page.getByRole('button', { name: 'Buy' }).click();
  await page.locator('#bought', { hasText: '201 201' }).waitFor();
  // 200 - 2 x 30 - 25, read back the token-less way
  await page.locator('#money', { hasText: '115' }).waitFor();
  assert.equal(await text(page, 'role'), 'user');

  // the requests were the original client's, as sent
  const token = (await api(shim.base, 'POST', '/login', { body: { username: 'lena', password: 'lena-password' } })).body.token;
  assert.ok(token);
  const shape = requests.map(([method, p, auth]) => [method, p, auth === null ? null : auth.replace(/^Basic .+$/, 'Basic')]);
  assert.deepEqual(shape.slice(0, 3), [['POST', '//login', null], ['GET', '//account/lena', null], ['GET', '//events', null]]);
  const orders = requests.filter(([method]) => method === 'POST').slice(1);
  assert.equal(orders.length, 2, 'one request per cart line');
  for (const [, p, auth] of orders) {
    assert.equal(p, '//order/lena');
    const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
    assert.match(user, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the token as the Basic user name');
    assert.equal(password, '');
  }
  assert.deepEqual(shape.slice(-2), [['GET', '//account/lena', null], ['GET', '//events', null]]);

  // and the database agrees
  const bought = (await api(shim.base, 'GET', '/orders/lena', { token: adminToken })).body.orders
    .map((o) => [o.event_id, o.tickets_bought]).sort();
  assert.deepEqual(bought, [[events.jazz.id, 2], [events.folk.id, 1]].sort());
  assert.deepEqual(errors, []);
});

test('an admin: the token-less read shows the admin flag (no "Role error")', async (t) => {
  const { page, errors } = await openClient(t, shim.base);
  await logIn(page, 'admin', 'admin-password');
  await page.locator('#role', { hasText: 'admin' }).waitFor();
  assert.equal(await text(page, 'money'), '200');
  assert.equal(await text(page, 'error'), '');
  assert.deepEqual(errors, []);
});

test('without LEGACY_CLIENTS the same client fails as issue 9 describes (the owner rule)', async (t) => {
  const strict = await startShim(DATABASE, { env: { STATIC_DIR } });
  try {
    const { page, errors } = await openClient(t, strict.base);
    await logIn(page, 'lena', 'lena-password');
    await page.locator('#error', { hasText: 'Role error (401)' }).waitFor();
    assert.equal(await text(page, 'money'), '-1');
    assert.ok(errors.every((e) => /status of 401/.test(e)), errors.join(' | '));
  } finally {
    await strict.stop();
  }
});
