// Events, orders and tickets of the 1.1 contract through HTTP: ETag and If-Match on events
// (the admin-edit-during-sales sequence of issue 10 item 9), ?when=, the per-account limit,
// past events, tickets with codes, cancellation, and door check-in exactly once under 32
// concurrent scans of one code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../lib/harness.mjs';
import { setup, stopCleanly, consoleSql } from './helpers.mjs';

let ctx;
let admin;
let alice;
let bob;
let fest;
const festBody = { name: 'Tickets Fest', place: 'Park', city: 'Lisbon', date: '2099-06-01', time: '21:00',
  price: 10, capacity: 50, max_tickets_per_account: 6 };

before(async () => {
  ctx = await setup('http_tickets');
  admin = await login(ctx.base, 'admin', 'admin-password');
  for (const name of ['alice', 'bob']) {
    const res = await api(ctx.base, 'POST', '/account', { body: { username: name, password: `${name}-password` } });
    assert.equal(res.status, 201);
  }
  alice = await login(ctx.base, 'alice', 'alice-password');
  bob = await login(ctx.base, 'bob', 'bob-password');
  const created = await api(ctx.base, 'POST', '/event', { token: admin, body: festBody });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  fest = created.body.event;
});
after(async () => { await stopCleanly(ctx.shim); });

test('an event shows capacity, time, limit, version and past; GET carries ETag: "<version>"', async () => {
  assert.equal(fest.capacity, 50);
  assert.equal(fest.total_available_tickets, 50);
  assert.equal(fest.time, '21:00');
  assert.equal(fest.max_tickets_per_account, 6);
  assert.equal(fest.past, false);
  assert.equal(fest.image_url, null);
  const one = await api(ctx.base, 'GET', `/event/${fest.id}`);
  assert.equal(one.headers.get('etag'), `"${one.body.event.version}"`);
});

test('issue 10 item 9: an edit with a stale If-Match is 412 and changes nothing; the fresh one keeps sales sold', async () => {
  const opened = await api(ctx.base, 'GET', `/event/${fest.id}`);
  const etag = opened.headers.get('etag');
  const sale = await api(ctx.base, 'POST', '/orders/alice', { token: alice, body: { event_id: fest.id, tickets_bought: 3 } });
  assert.equal(sale.status, 201);
  const stale = await api(ctx.base, 'PUT', `/event/${fest.id}`, { token: admin,
    headers: { 'If-Match': etag }, body: { ...festBody, place: 'Other Park' } });
  assert.equal(stale.status, 412);
  assert.equal(stale.body.code, 'stale_version');
  const now = await api(ctx.base, 'GET', `/event/${fest.id}`);
  assert.equal(now.body.event.place, 'Park');
  assert.equal(now.body.event.total_available_tickets, 47);
  assert.notEqual(now.headers.get('etag'), etag);

  const saved = await api(ctx.base, 'PUT', `/event/${fest.id}`, { token: admin,
    headers: { 'If-Match': now.headers.get('etag') }, body: { ...festBody, place: 'Other Park' } });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.headers.get('etag'), `"${saved.body.event.version}"`);
  assert.equal(saved.body.event.capacity, 50);
  assert.equal(saved.body.event.total_available_tickets, 47);

  const below = await api(ctx.base, 'PUT', `/event/${fest.id}`, { token: admin, body: { ...festBody, capacity: 2 } });
  assert.equal(below.status, 409);
  assert.equal(below.body.code, 'capacity_below_sold');
  const byBody = await api(ctx.base, 'PUT', `/event/${fest.id}`, { token: admin,
    body: { ...festBody, version: saved.body.event.version - 1 } });
  assert.equal(byBody.status, 412);
});

test('GET /events?when=upcoming|past|all; past events are not sold (409 event_over)', async () => {
  const old = await api(ctx.base, 'POST', '/event', { token: admin,
    body: { name: 'Old Gig', place: 'Club', city: 'Porto', date: '2020-02-02', price: 1, total_available_tickets: 5 } });
  assert.equal(old.status, 201);
  assert.equal(old.body.event.past, true);
  const names = async (when) => (await api(ctx.base, 'GET', `/events${when}`)).body.events.map((e) => e.name);
  assert.deepEqual(await names('?when=past'), ['Old Gig']);
  assert.deepEqual(await names('?when=upcoming'), ['Tickets Fest']);
  assert.deepEqual(await names(''), ['Old Gig', 'Tickets Fest']);
  assert.deepEqual(await names('?when=all'), ['Old Gig', 'Tickets Fest']);
  assert.equal((await api(ctx.base, 'GET', '/events?when=tomorrow')).status, 400);
  const buy = await api(ctx.base, 'POST', '/orders/bob', { token: bob, body: { event_id: old.body.event.id, tickets_bought: 1 } });
  assert.equal(buy.status, 409);
  assert.equal(buy.body.code, 'event_over');
});

test('max_tickets_per_account counts confirmed orders and the cart (409 limit_exceeded)', async () => {
  const over = await api(ctx.base, 'POST', '/orders/alice', { token: alice,
    body: { orders: [{ event_id: fest.id, tickets_bought: 4 }] } });
  assert.equal(over.status, 409);
  assert.equal(over.body.code, 'limit_exceeded');
  const fits = await api(ctx.base, 'POST', '/orders/alice', { token: alice, body: { event_id: fest.id, tickets_bought: 3 } });
  assert.equal(fits.status, 201);
});

test('orders carry status, created_at and one unguessable URL-safe code per ticket, for the buyer and admins', async () => {
  const mine = await api(ctx.base, 'GET', '/orders/alice', { token: alice });
  assert.equal(mine.status, 200);
  const codes = mine.body.orders.flatMap((o) => o.tickets.map((t) => t.code));
  assert.equal(codes.length, 6);
  assert.equal(new Set(codes).size, 6);
  for (const order of mine.body.orders) {
    assert.equal(order.status, 'confirmed');
    assert.match(order.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(order.tickets.length, order.tickets_bought);
  }
  for (const code of codes) assert.match(code, /^[A-Za-z0-9_-]{22}$/);
  assert.equal((await api(ctx.base, 'GET', '/orders/alice', { token: bob })).status, 403);
  const all = await api(ctx.base, 'GET', '/orders', { token: admin });
  assert.equal(all.body.orders.flatMap((o) => o.tickets).length, 6);
});

test('32 concurrent scans of one code: exactly one 200, 31 409 already_checked_in with the first time', async () => {
  const order = (await api(ctx.base, 'GET', '/orders/alice', { token: alice })).body.orders[0];
  const code = order.tickets[0].code;
  const scans = await Promise.all(Array.from({ length: 32 }, () =>
    api(ctx.base, 'POST', '/checkin', { token: admin, body: { code, event_id: fest.id } })));
  const ok = scans.filter((r) => r.status === 200);
  const used = scans.filter((r) => r.status === 409);
  assert.equal(ok.length, 1, JSON.stringify(scans.map((r) => r.status)));
  assert.equal(used.length, 31);
  const first = ok[0].body;
  assert.equal(first.ticket.code, code);
  assert.deepEqual(Object.keys(first.order).sort(), ['event_date', 'event_id', 'event_name', 'id', 'username']);
  assert.equal(first.order.username, 'alice');
  for (const r of used) {
    assert.equal(r.body.code, 'already_checked_in');
    assert.equal(r.body.checked_in_at, first.ticket.checked_in_at);
  }
  // a checked-in order cannot be cancelled
  const cancel = await api(ctx.base, 'POST', `/orders/alice/${order.id}/cancel`, { token: alice });
  assert.equal(cancel.status, 409);
  assert.equal(cancel.body.code, 'not_cancellable');
});

test('check-in: wrong event, unknown code, users refused', async () => {
  const order = (await api(ctx.base, 'GET', '/orders/alice', { token: alice })).body.orders[1];
  const code = order.tickets[0].code;
  const wrong = await api(ctx.base, 'POST', '/checkin', { token: admin, body: { code, event_id: fest.id + 1000 } });
  assert.equal(wrong.status, 409);
  assert.equal(wrong.body.code, 'wrong_event');
  assert.equal((await api(ctx.base, 'POST', '/checkin', { token: admin, body: { code: 'nope' } })).status, 404);
  assert.equal((await api(ctx.base, 'POST', '/checkin', { token: alice, body: { code } })).status, 403);
  assert.equal((await api(ctx.base, 'POST', '/checkin', { body: { code } })).status, 401);
  assert.equal((await api(ctx.base, 'POST', '/checkin', { token: admin, body: {} })).status, 400);
});

test('cancel: refund and restock in one go; 409 already_cancelled; 404; only the buyer', async () => {
  const before = (await api(ctx.base, 'GET', '/account/alice', { token: alice })).body.account.available_money;
  const order = (await api(ctx.base, 'GET', '/orders/alice', { token: alice })).body.orders[1];
  const left = (await api(ctx.base, 'GET', `/event/${fest.id}`)).body.event.total_available_tickets;
  assert.equal((await api(ctx.base, 'POST', `/orders/alice/${order.id}/cancel`, { token: bob })).status, 403);
  const res = await api(ctx.base, 'POST', `/orders/alice/${order.id}/cancel`, { token: alice });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.refund, order.tickets_bought * order.price);
  assert.equal(res.body.order.status, 'cancelled');
  const after = (await api(ctx.base, 'GET', '/account/alice', { token: alice })).body.account.available_money;
  assert.equal(after, before + res.body.refund);
  assert.equal((await api(ctx.base, 'GET', `/event/${fest.id}`)).body.event.total_available_tickets,
    left + order.tickets_bought);
  const again = await api(ctx.base, 'POST', `/orders/alice/${order.id}/cancel`, { token: alice });
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'already_cancelled');
  const scan = await api(ctx.base, 'POST', '/checkin', { token: admin, body: { code: order.tickets[0].code } });
  assert.equal(scan.status, 409);
  assert.equal(scan.body.code, 'ticket_not_valid');
  assert.equal((await api(ctx.base, 'POST', '/orders/alice/999999/cancel', { token: alice })).status, 404);
});

test('cancel within cancel_before_hours of the start: 409 not_cancellable', async () => {
  const soonDate = consoleSql(ctx.database, "SELECT to_char(current_date + 1, 'YYYY-MM-DD')");
  const soon = await api(ctx.base, 'POST', '/event', { token: admin,
    body: { name: 'Soon Gig', place: 'Bar', city: 'Faro', date: soonDate, price: 1, capacity: 5 } });
  const bought = await api(ctx.base, 'POST', '/orders/bob', { token: bob, body: { event_id: soon.body.event.id, tickets_bought: 1 } });
  assert.equal(bought.status, 201);
  const res = await api(ctx.base, 'POST', `/orders/bob/${bought.body.order.id}/cancel`, { token: bob });
  assert.equal(res.status, 409);
  assert.equal(res.body.code, 'not_cancellable');
});

test('deleting an event refunds its orders and keeps them, refunded; the event is then 404', async () => {
  const res = await api(ctx.base, 'DELETE', `/event/${fest.id}`, { token: admin });
  assert.equal(res.status, 200);
  assert.equal((await api(ctx.base, 'GET', `/event/${fest.id}`)).status, 404);
  const orders = (await api(ctx.base, 'GET', '/orders/alice', { token: alice })).body.orders;
  assert.deepEqual(orders.map((o) => o.status).sort(), ['cancelled', 'refunded']);
  assert.equal((await api(ctx.base, 'GET', '/account/alice', { token: alice })).body.account.available_money, 200);
});
