// Every route of API.md through HTTP, with its success status and shape, the error statuses
// the extension reports, and the original app's compatibility forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../lib/harness.mjs';
import { setup, stopCleanly, basic } from './helpers.mjs';

let ctx;
let admin;
let alice;
let eventId;
let artistId;
const canet = { name: 'Canet Rock 2020', place: 'Platja', city: 'Canet de Mar', date: '2099-07-05',
  price: 50, total_available_tickets: 300 };

before(async () => {
  ctx = await setup('http_api');
  admin = await login(ctx.base, 'admin', 'admin-password');
});
after(async () => { await stopCleanly(ctx.shim); });

test('POST /account: 201, starts with 200; 409 if taken', async () => {
  const res = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'alice-pw' } });
  assert.equal(res.status, 201);
  assert.deepEqual(res.body, { account: { username: 'alice', role: 'user', is_admin: 0, available_money: 200 } });
  const again = await api(ctx.base, 'POST', '/account', { body: { username: 'alice', password: 'x-password' } });
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'conflict');
  alice = await login(ctx.base, 'alice', 'alice-pw');
});

test('GET /account/<u> (owner, admin) and GET /accounts (admin)', async () => {
  const own = await api(ctx.base, 'GET', '/account/alice', { token: alice });
  assert.equal(own.status, 200);
  assert.equal(own.body.account.username, 'alice');
  const missing = await api(ctx.base, 'GET', '/account/ghost', { token: admin });
  assert.equal(missing.status, 404);
  const all = await api(ctx.base, 'GET', '/accounts', { token: admin });
  assert.equal(all.status, 200);
  assert.ok(all.body.accounts.some((a) => a.username === 'alice'));
  assert.ok(all.body.accounts.every((a) => !('password_hash' in a)));
});

test('events: create 201, 409 on duplicate, read, update, list', async () => {
  const created = await api(ctx.base, 'POST', '/event', { token: admin, body: canet });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ev = created.body.event;
  eventId = ev.id;
  // 1.0's fields as they were sent; 1.1 adds capacity, time, limit, version, past, image
  assert.deepEqual({ ...ev, id: undefined }, { ...canet, id: undefined, artists: [], capacity: 300,
    time: null, max_tickets_per_account: null, version: 1, past: false, image_url: null });
  const dup = await api(ctx.base, 'POST', '/event', { token: admin, body: canet });
  assert.equal(dup.status, 409);

  const one = await api(ctx.base, 'GET', `/event/${eventId}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.event.name, canet.name);
  assert.equal((await api(ctx.base, 'GET', '/event/999999')).status, 404);

  const updated = await api(ctx.base, 'PUT', `/event/${eventId}`, { token: admin,
    body: { ...canet, price: '45', total_available_tickets: '300' } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal(updated.body.event.price, 45);
  assert.equal((await api(ctx.base, 'PUT', '/event/999999', { token: admin, body: canet })).status, 404);

  const list = await api(ctx.base, 'GET', '/events');
  assert.equal(list.status, 200);
  assert.ok(list.body.events.some((e) => e.id === eventId));
});

test('artists: create 201 (genre upper-cased), 409, read, update, list', async () => {
  const created = await api(ctx.base, 'POST', '/artist', { token: admin,
    body: { name: 'Txarango', country: 'Spain', genre: 'reggae' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  artistId = created.body.artist.id;
  assert.equal(created.body.artist.genre, 'REGGAE');
  const dup = await api(ctx.base, 'POST', '/artist', { token: admin,
    body: { name: 'Txarango', country: 'Spain', genre: 'POP' } });
  assert.equal(dup.status, 409);
  const bad = await api(ctx.base, 'POST', '/artist', { token: admin,
    body: { name: 'Nobody', country: 'Spain', genre: 'polka' } });
  assert.equal(bad.status, 400);
  assert.equal((await api(ctx.base, 'GET', `/artist/${artistId}`)).body.artist.name, 'Txarango');
  assert.equal((await api(ctx.base, 'GET', '/artist/999999')).status, 404);
  const upd = await api(ctx.base, 'PUT', `/artist/${artistId}`, { token: admin,
    body: { name: 'Txarango', country: 'Catalonia', genre: 'REGGAE' } });
  assert.equal(upd.status, 200, JSON.stringify(upd.body));
  assert.equal(upd.body.artist.country, 'Catalonia');
  const list = await api(ctx.base, 'GET', '/artists');
  assert.equal(list.status, 200);
  assert.ok(list.body.artists.some((a) => a.id === artistId));
});

test('event artists: link by id or by name, 409 twice, read, list, unlink', async () => {
  const linked = await api(ctx.base, 'POST', `/event/${eventId}/artist`, { token: admin, body: { id: artistId } });
  assert.equal(linked.status, 201, JSON.stringify(linked.body));
  assert.ok(linked.body.event.artists.some((a) => a.id === artistId));
  const twice = await api(ctx.base, 'POST', `/event/${eventId}/artist`, { token: admin, body: { id: artistId } });
  assert.equal(twice.status, 409);
  const byName = await api(ctx.base, 'POST', `/event/${eventId}/artist`, { token: admin,
    body: { name: 'Oques Grasses', country: 'Spain', genre: 'pop' } });
  assert.equal(byName.status, 201, JSON.stringify(byName.body));
  const oques = byName.body.event.artists.find((a) => a.name === 'Oques Grasses');
  assert.ok(oques);

  const list = await api(ctx.base, 'GET', `/event/${eventId}/artists`);
  assert.equal(list.status, 200);
  assert.equal(list.body.artists.length, 2);
  const one = await api(ctx.base, 'GET', `/event/${eventId}/artist/${artistId}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.artist.id, artistId);
  const events = await api(ctx.base, 'GET', `/artist/${artistId}/events`);
  assert.equal(events.status, 200);
  assert.ok(events.body.events.some((e) => e.id === eventId));

  const unlinked = await api(ctx.base, 'DELETE', `/event/${eventId}/artist/${oques.id}`, { token: admin });
  assert.equal(unlinked.status, 200);
  assert.equal(typeof unlinked.body.message, 'string');
  assert.equal((await api(ctx.base, 'GET', `/event/${eventId}/artist/${oques.id}`)).status, 404);
  assert.equal((await api(ctx.base, 'DELETE', `/event/${eventId}/artist/${oques.id}`, { token: admin })).status, 404);
  assert.equal((await api(ctx.base, 'DELETE', `/artist/${oques.id}`, { token: admin })).status, 200);
  assert.equal((await api(ctx.base, 'GET', `/artist/${oques.id}`)).status, 404);
});

test('orders: /orders/<u>, /order/<u>, id_event, form-encoded, Basic auth, a whole cart', async () => {
  const first = await api(ctx.base, 'POST', '/orders/alice', { token: alice, body: { event_id: eventId, tickets_bought: 1 } });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const o = first.body.order;
  assert.equal(o.username, 'alice');
  assert.equal(o.event_id, eventId);
  assert.equal(o.id_event, eventId);
  assert.equal(o.tickets_bought, 1);
  assert.equal(o.price, 45);
  assert.equal(o.event_name, canet.name);

  const legacy = await api(ctx.base, 'POST', '/order/alice', {
    raw: new URLSearchParams({ id_event: String(eventId), tickets_bought: '1' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic(alice) },
  });
  assert.equal(legacy.status, 201, JSON.stringify(legacy.body));
  const query = await api(ctx.base, 'POST', `/order/alice?id_event=${eventId}&tickets_bought=1`,
    { headers: { Authorization: basic(alice, 'x') } });
  assert.equal(query.status, 201, JSON.stringify(query.body));

  const cart = await api(ctx.base, 'POST', '/orders/alice', { token: alice,
    body: { orders: [{ event_id: eventId, tickets_bought: 1 }] } });
  assert.equal(cart.status, 201, JSON.stringify(cart.body));
  assert.equal(cart.body.orders.length, 1);

  const mine = await api(ctx.base, 'GET', '/orders/alice', { token: alice });
  assert.equal(mine.status, 200);
  assert.equal(mine.body.orders.length, 4);
  const alias = await api(ctx.base, 'GET', '/order/alice', { token: alice });
  assert.deepEqual(alias.body, mine.body);
  const all = await api(ctx.base, 'GET', '/orders', { token: admin });
  assert.equal(all.status, 200);
  assert.equal(all.body.orders.length, 4);
  assert.equal((await api(ctx.base, 'GET', '/account/alice', { token: alice })).body.account.available_money, 20);
});

test('orders: the business errors come back as their statuses', async () => {
  const poor = await api(ctx.base, 'POST', '/orders/alice', { token: alice, body: { event_id: eventId, tickets_bought: 1 } });
  assert.equal(poor.status, 409);
  assert.equal(poor.body.code, 'insufficient_funds');
  await api(ctx.base, 'POST', '/account', { body: { username: 'carol', password: 'carol-pw' } });
  const carol = await login(ctx.base, 'carol', 'carol-pw');
  const small = await api(ctx.base, 'POST', '/event', { token: admin, body: { ...canet, name: 'Tiny', price: 1, total_available_tickets: 2 } });
  const soldOut = await api(ctx.base, 'POST', '/orders/carol', { token: carol, body: { event_id: small.body.event.id, tickets_bought: 3 } });
  assert.equal(soldOut.status, 409);
  assert.equal(soldOut.body.code, 'sold_out');
  for (const body of [{ event_id: eventId, tickets_bought: 0 }, { event_id: eventId, tickets_bought: -2 },
    { event_id: eventId, tickets_bought: 'x' }, { event_id: eventId }]) {
    const res = await api(ctx.base, 'POST', '/orders/carol', { token: carol, body });
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  assert.equal((await api(ctx.base, 'POST', '/orders/carol', { token: carol, body: { event_id: 999999, tickets_bought: 1 } })).status, 404);
  assert.equal((await api(ctx.base, 'POST', '/orders/alice', { token: carol, body: { event_id: eventId, tickets_bought: 1 } })).status, 403);
  assert.equal((await api(ctx.base, 'POST', '/orders/carol', { token: admin, body: { event_id: eventId, tickets_bought: 1 } })).status, 403);
  assert.equal((await api(ctx.base, 'GET', '/orders/alice', { token: carol })).status, 403);
  assert.equal((await api(ctx.base, 'GET', '/orders', { token: carol })).status, 403);
});

test('Idempotency-Key: a retried purchase is bought once; reused for another body, 422', async () => {
  await api(ctx.base, 'POST', '/account', { body: { username: 'dave', password: 'dave-password' } });
  const dave = await login(ctx.base, 'dave', 'dave-password');
  const headers = { 'Idempotency-Key': 'k-123' };
  const body = { event_id: eventId, tickets_bought: 1 };
  const a = await api(ctx.base, 'POST', '/orders/dave', { token: dave, body, headers });
  const b = await api(ctx.base, 'POST', '/orders/dave', { token: dave, body, headers });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.deepEqual(b.body, a.body);
  assert.equal((await api(ctx.base, 'GET', '/orders/dave', { token: dave })).body.orders.length, 1);
  const other = await api(ctx.base, 'POST', '/orders/dave', { token: dave, body: { ...body, tickets_bought: 2 }, headers });
  assert.equal(other.status, 422);
  assert.equal(other.body.code, 'idempotency_key_reused');
});

test('deletes: event refunds its buyers, account returns its tickets, admin only', async () => {
  assert.equal((await api(ctx.base, 'DELETE', `/event/${eventId}`, { token: alice })).status, 403);
  const del = await api(ctx.base, 'DELETE', `/event/${eventId}`, { token: admin });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal(typeof del.body.message, 'string');
  assert.equal((await api(ctx.base, 'GET', `/event/${eventId}`)).status, 404);
  assert.equal((await api(ctx.base, 'GET', '/account/alice', { token: alice })).body.account.available_money, 200);
  assert.equal((await api(ctx.base, 'DELETE', `/event/${eventId}`, { token: admin })).status, 404);

  assert.equal((await api(ctx.base, 'DELETE', '/account/alice', { token: alice })).status, 403);
  const gone = await api(ctx.base, 'DELETE', '/account/alice', { token: admin });
  assert.equal(gone.status, 200);
  assert.equal((await api(ctx.base, 'GET', '/account/alice', { token: alice })).status, 401);
  assert.equal((await api(ctx.base, 'DELETE', '/account/alice', { token: admin })).status, 404);
  assert.equal((await api(ctx.base, 'DELETE', `/artist/${artistId}`, { token: admin })).status, 200);
});
