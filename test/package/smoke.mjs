// The API smoke test of an installed or packaged web process (test/package/run,
// test/images/run): the page is served, and a visitor signs up, logs in and buys what an
// admin (made with create-admin) put on sale.
//   node test/package/smoke.mjs BASE_URL ADMIN_NAME ADMIN_PASSWORD
import assert from 'node:assert/strict';
import { api, login } from '../lib/harness.mjs';

const [base, adminName, adminPassword] = process.argv.slice(2);
assert.ok(base && adminName && adminPassword, 'usage: smoke.mjs BASE_URL ADMIN_NAME ADMIN_PASSWORD');

const health = await api(base, 'GET', '/healthz');
assert.equal(health.status, 200, 'healthz');
const page = await fetch(`${base}/`);
assert.equal(page.status, 200, 'the page');
assert.match(await page.text(), /<html/i, 'the page is the frontend (static files found without STATIC_DIR)');
const script = await fetch(`${base}/static/js/main.js`);
assert.equal(script.status, 200, 'the page\'s script');

const adminToken = await login(base, adminName, adminPassword);
const event = await api(base, 'POST', '/event', { token: adminToken, body: {
  name: 'Smoke Fest', place: 'Sala Apolo', city: 'Barcelona', date: '2099-05-01', price: 30,
  total_available_tickets: 5 } });
assert.equal(event.status, 201, JSON.stringify(event.body));
const eventId = event.body.event.id;

const signup = await api(base, 'POST', '/account', { body: { username: 'smoke', password: 'smoke-password' } });
assert.equal(signup.status, 201, JSON.stringify(signup.body));
const token = await login(base, 'smoke', 'smoke-password');
const order = await api(base, 'POST', '/orders/smoke', { token, body: { event_id: eventId, tickets_bought: 2 } });
assert.equal(order.status, 201, JSON.stringify(order.body));
const account = await api(base, 'GET', '/account/smoke', { token });
assert.equal(account.body.account.available_money, signup.body.account.available_money - 60);
const after = await api(base, 'GET', `/event/${eventId}`);
assert.equal(after.body.event.total_available_tickets, 3);
const forged = await api(base, 'GET', '/accounts', { token: `${token.slice(0, -4)}AAAA` });
assert.equal(forged.status, 401, 'a tampered token is refused');
console.log(`smoke: ok (${base}: page, sign-up, login, admin event, purchase)`);
