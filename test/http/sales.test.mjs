// GET /sales (JSON and CSV) and GET /sales/daily through HTTP: who may read them, the CSV
// as a download, and bad query values as 4xx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

let ctx;
let admin;
let buyer;
let event;

before(async () => {
  ctx = await setup('http_sales');
  admin = await login(ctx.base, 'admin', 'admin-password');
  await api(ctx.base, 'POST', '/account', { body: { username: 'sales_buyer', password: 'sales-buyer-pw' } });
  buyer = await login(ctx.base, 'sales_buyer', 'sales-buyer-pw');
  event = (await api(ctx.base, 'POST', '/event', { token: admin, body: { name: 'Sales, "Quoted"', place: 'Hall',
    city: 'Vic', date: '2031-01-01', price: 12, total_available_tickets: 9 } })).body.event;
  const bought = await api(ctx.base, 'POST', '/orders/sales_buyer', { token: buyer, body: { event_id: event.id, tickets_bought: 2 } });
  assert.equal(bought.status, 201);
});
after(async () => { await stopCleanly(ctx.shim); });

test('GET /sales: per event and totals for admins, as JSON that no cache keeps', async () => {
  const res = await api(ctx.base, 'GET', '/sales', { token: admin });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const row = res.body.events.find((e) => e.id === event.id);
  assert.deepEqual({ ...row }, { id: event.id, name: event.name, date: '2031-01-01', cancelled: false, capacity: 9,
    sold: 2, left: 7, revenue: 24, refunded_tickets: 0, refunded_amount: 0, checked_in: 0 });
  assert.equal(res.body.totals.sold, res.body.events.reduce((n, e) => n + e.sold, 0));
});

test('GET /sales?format=csv: text/csv with quoted names and CRLF lines', async () => {
  const res = await api(ctx.base, 'GET', '/sales?format=csv', { token: admin });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  const lines = res.body.split('\r\n');
  assert.equal(lines[0], 'id,name,date,cancelled,capacity,sold,left,revenue,refunded_tickets,refunded_amount,checked_in');
  assert.ok(lines.includes(`${event.id},"Sales, ""Quoted""",2031-01-01,false,9,2,7,24,0,0,0`), res.body);
});

test('GET /sales/daily: today\'s tickets and revenue, for one event or all', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const one = await api(ctx.base, 'GET', `/sales/daily?event_id=${event.id}`, { token: admin });
  assert.equal(one.status, 200);
  assert.deepEqual(one.body.days.at(-1), { day: one.body.days.at(-1).day, tickets: 2, revenue: 24 });
  assert.ok([today, new Date(Date.now() - 86400e3).toISOString().slice(0, 10)].includes(one.body.days.at(-1).day));
  const all = await api(ctx.base, 'GET', '/sales/daily', { token: admin });
  assert.equal(all.status, 200);
  assert.ok(all.body.days.length >= 1);
});

test('sales are for admins only, and bad query values are 4xx', async () => {
  for (const path of ['/sales', '/sales?format=csv', '/sales/daily']) {
    assert.equal((await api(ctx.base, 'GET', path)).status, 401, path);
    const user = await api(ctx.base, 'GET', path, { token: buyer });
    assert.equal(user.status, 403, path);
    assert.equal(user.headers.get('content-type'), 'application/json; charset=utf-8');
  }
  const cases = [['/sales?format=xml', 400], ['/sales/daily?event_id=abc', 400],
    ['/sales/daily?event_id=99999999', 404], ['/sales/daily?event_id=99999999999', 400]];
  for (const [path, status] of cases) {
    const res = await api(ctx.base, 'GET', path, { token: admin });
    assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
    assert.ok(res.body.message && res.body.code, path);
  }
});
