// Group commit (issue 14): purchases that wait in the queue together run as one call of
// tm_order_create_batch, in one transaction. Each must still get exactly the answer it
// would get alone: sales, a cart, an idempotent retry, and every kind of refusal mixed in one
// batch, nothing sold twice and nothing lost. The purchases pile up behind a table lock a
// superuser holds, and are released only once the server has read every one of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, psql } from '../lib/harness.mjs';
import { setup, stopCleanly, holdLock, waitForBlocked, httpRequest, requestsRead } from './helpers.mjs';

let ctx;
const tokens = {};
let fest;
let other;

before(async () => {
  // One database thread: while its call waits for the lock, every later purchase queues.
  ctx = await setup('http_group_commit', { env: { WEB_CONCURRENCY: '1' } });
  const admin = await login(ctx.base, 'admin', 'admin-password');
  const names = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9', 'poor'];
  for (const name of names) {
    const res = await api(ctx.base, 'POST', '/account', { body: { username: name, password: `${name}-password` } });
    assert.equal(res.status, 201);
    tokens[name] = await login(ctx.base, name, `${name}-password`);
  }
  psql(ctx.database, "UPDATE accounts SET available_money = 5 WHERE username = 'poor'");
  const event = async (name, capacity) => {
    const res = await api(ctx.base, 'POST', '/event', { token: admin, body: {
      name, place: 'Park', city: 'Lisbon', date: '2099-06-01', price: 10, capacity } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.event.id;
  };
  fest = await event('Batch Fest', 12);
  other = await event('Batch Other', 100);
});
after(async () => { await stopCleanly(ctx.shim); });

const buy = (user, body, { token = tokens[user], key, as = user } = {}) => ({
  path: `/orders/${as}`, token, body, headers: key ? { 'Idempotency-Key': key } : {},
});

test('purchases queued together are committed together, each answered as if alone', async () => {
  // Every outcome holds whatever the order within the batch: 11 of 12 tickets sell.
  const requests = {
    ...Object.fromEntries(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']
      .map((u) => [`sale ${u}`, buy(u, { event_id: fest, tickets_bought: 1 })])),
    cart: buy('u5', { orders: [{ event_id: fest, tickets_bought: 1 }, { event_id: other, tickets_bought: 1 }] }),
    'idempotent first': buy('u4', { event_id: other, tickets_bought: 2 }, { key: 'batch-retry' }),
    'idempotent retry': buy('u4', { event_id: other, tickets_bought: 2 }, { key: 'batch-retry' }),
    'sold out': buy('u6', { event_id: fest, tickets_bought: 13 }),
    'not enough money': buy('poor', { event_id: fest, tickets_bought: 1 }),
    'bad token': buy('u7', { event_id: fest, tickets_bought: 1 }, { token: 'not.a.token' }),
    'someone else': buy('u8', { event_id: fest, tickets_bought: 1 }, { as: 'u9' }),
    'no such event': buy('u8', { event_id: 999999, tickets_bought: 1 }),
    'zero tickets': buy('u8', { event_id: fest, tickets_bought: 0 }),
  };
  const refusals = {
    'sold out': [409, 'sold_out'], 'not enough money': [409, 'insufficient_funds'],
    'bad token': [401, 'unauthenticated'], 'someone else': [403, 'forbidden'],
    'no such event': [404, 'not_found'], 'zero tickets': [400, 'invalid_input'],
  };
  const send = ({ path, token, body, headers }) => api(ctx.base, 'POST', path, { token, body, headers });

  const lock = await holdLock(ctx.database, 'events');
  let answers;
  try {
    const first = send(buy('u0', { event_id: fest, tickets_bought: 1 }));
    await waitForBlocked(ctx.database, 1);
    const pending = await requestsRead(ctx.shim.port, Object.values(requests)
      .map(({ path, token, body, headers }) => httpRequest('POST', path, { token, body, headers })));
    await lock.release();
    assert.equal((await first).status, 201);
    const names = Object.keys(requests);
    answers = Object.fromEntries((await Promise.all(pending)).map((res, i) => [names[i], res]));
  } finally {
    await lock.release();
  }

  for (const [name, res] of Object.entries(answers)) {
    if (refusals[name]) {
      assert.deepEqual([res.status, res.body.code], refusals[name], `${name}: ${JSON.stringify(res.body)}`);
      // the very answer the purchase gets alone, now that nothing else runs; but for the
      // count in "N left.", which is what the purchase met at its place in the batch
      const alone = await send(requests[name]);
      const answer = ({ status, body }) => ({ status, body: { ...body, detail: body.detail?.replace(/^\d+ left/, 'N left') } });
      assert.deepEqual(answer(alone), answer(res), name);
    } else {
      assert.equal(res.status, 201, `${name}: ${JSON.stringify(res.body)}`);
    }
  }
  assert.equal(answers.cart.body.orders.length, 2);
  assert.deepEqual(answers['idempotent retry'].body, answers['idempotent first'].body);

  // They ran in at most two transactions (the batch limit), not one each: one created_at
  // (the transaction's start) per transaction.
  const transactions = Number(psql(ctx.database,
    `SELECT count(DISTINCT created_at) FROM orders WHERE username <> 'u0'`));
  assert.ok(transactions <= 2, `${transactions} transactions for the queued purchases`);

  // The books: 11 of fest sold (u0, nine sales, the cart's line), 3 of other; money matches.
  assert.equal(psql(ctx.database, `SELECT string_agg(tickets_sold || '/' || tickets_left, ' ' ORDER BY id)
    FROM events WHERE id IN (${fest}, ${other})`), '11/1 3/97');
  assert.equal(psql(ctx.database, `SELECT count(*) FROM accounts a WHERE role = 'user'
    AND 200 - available_money <> (SELECT coalesce(sum(tickets_bought * price), 0) FROM orders o
      WHERE o.username = a.username AND status = 'confirmed') AND username <> 'poor'`), '0');
  assert.equal(psql(ctx.database, "SELECT available_money FROM accounts WHERE username = 'poor'"), '5');
});
