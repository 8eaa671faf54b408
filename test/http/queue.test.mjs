// The database never blocks the HTTP side (issue 14): while every database connection is
// stuck behind a lock a superuser holds, /healthz, static files and public reads in memory
// still answer, a request waiting for a connection past DB_QUEUE_TIMEOUT_MS is answered 503
// busy + Retry-After, and one over DB_QUEUE_LIMIT at once. The stall is held until the
// requests under test have answered, and released only then: nothing here is timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, psql, startShim, freshDatabase } from '../lib/harness.mjs';
import { stopCleanly, holdLock, blockedCalls, waitForBlocked, httpRequest, requestsRead, HANG_MS } from './helpers.mjs';

test('every database connection stuck: files and /healthz answer; a call waiting past its deadline is 503 busy', async () => {
  const database = freshDatabase('http_queue_deadline');
  psql(database, `SELECT tm_artist_create(NULL, '{"name": "Queue Band", "country": "Spain", "genre": "POP"}')`);
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '2', DB_QUEUE_TIMEOUT_MS: '300' } });
  let lock;
  try {
    lock = await holdLock(database, 'events');
    // both connections stuck on the lock
    const stuck = [api(shim.base, 'GET', '/events'), api(shim.base, 'GET', '/events?when=upcoming')];
    await waitForBlocked(database, 2);

    // the HTTP side answers whatever the database does
    assert.equal((await api(shim.base, 'GET', '/healthz')).status, 200);
    assert.equal((await api(shim.base, 'GET', '/static/favicon.svg')).status, 200);
    const page = await api(shim.base, 'GET', '/');
    assert.equal(page.status, 200);

    // a call that waits for a connection: 503 busy with Retry-After once its deadline passed
    const busy = await api(shim.base, 'GET', '/artists');
    assert.equal(busy.status, 503, JSON.stringify(busy.body));
    assert.equal(busy.body.code, 'busy');
    assert.match(busy.headers.get('retry-after'), /^\d+$/);
    const write = await api(shim.base, 'POST', '/login', { body: { username: 'admin', password: 'admin-password' } });
    assert.equal(write.status, 503);
    assert.equal(write.body.code, 'busy');

    // still stuck (the lock is held): the two calls have not answered
    await lock.release();
    lock = null;
    for (const res of await Promise.all(stuck)) assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await api(shim.base, 'GET', '/artists')).status, 200);
  } finally {
    await lock?.release();
    await stopCleanly(shim);
  }
});

test('a cached public read is served while the database is stuck', async () => {
  const database = freshDatabase('http_queue_cached');
  // a miss waits 300 ms at most; a stored answer lives the contract's whole second
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '1', CACHE_MAX_AGE_MS: '1000',
    DB_QUEUE_TIMEOUT_MS: '300' } });
  let lock;
  try {
    // Rounds of: read /events into memory, stick the only connection behind a lock on
    // artists, read /events again. A 200 then can only come from memory. If the stored
    // answer was already too old (a slow round), that read is a 503 busy: another round.
    const started = Date.now();
    for (;;) {
      assert.equal((await api(shim.base, 'GET', '/events')).status, 200);
      lock = await holdLock(database, 'artists');
      // a 404 is never kept in memory: this one reaches the database each round
      const stuck = api(shim.base, 'GET', '/artist/999999');
      await waitForBlocked(database, 1);
      const read = await api(shim.base, 'GET', '/events');
      const stillBlocked = blockedCalls(database);
      await lock.release();
      lock = null;
      assert.equal((await stuck).status, 404);
      assert.equal(stillBlocked, 1, 'the connection was stuck all along');
      if (read.status === 200) break;
      assert.equal(read.status, 503, JSON.stringify(read.body));
      assert.equal(read.body.code, 'busy');
      assert.ok(Date.now() - started < HANG_MS, 'never served from memory');
    }
  } finally {
    await lock?.release();
    await stopCleanly(shim);
  }
});

test('lanes: public reads go first, but not for more than four in a row', async () => {
  const database = freshDatabase('http_queue_lanes');
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '1', DB_QUEUE_TIMEOUT_MS: '60000' } });
  const locks = [];
  try {
    assert.equal((await api(shim.base, 'POST', '/account', { body: { username: 'lane', password: 'lane-password' } })).status, 201);
    const { token } = (await api(shim.base, 'POST', '/login', { body: { username: 'lane', password: 'lane-password' } })).body;
    const ids = psql(database, `SELECT string_agg(tm_event_create(NULL, jsonb_build_object('name', 'Lane ' || n,
      'place', 'Apolo', 'city', 'Barcelona', 'date', '2030-01-01', 'price', 10, 'total_available_tickets', 10))
      #>> '{event,id}', ' ') FROM generate_series(1, 6) AS n`).trim().split(' ');

    // The only connection runs a public read, stuck on the events: the first of a run.
    locks.push(await holdLock(database, 'orders'), await holdLock(database, 'events'));
    const stuck = api(shim.base, 'GET', '/events');
    await waitForBlocked(database, 1);
    // Queued behind it: a call of another lane (it reads orders), then six public reads.
    const [other] = await requestsRead(shim.port, [httpRequest('GET', '/orders/lane', { token })]);
    const reads = await requestsRead(shim.port, ids.map((id) => httpRequest('GET', `/event/${id}`)));
    let readsAnswered = 0;
    for (const read of reads) read.then(() => readsAnswered++);

    // Free the events: the connection runs reads until it takes the other call, which then
    // waits for the orders. No read can be answered while it waits.
    await locks.pop().release();
    assert.equal((await stuck).status, 200);
    await waitForBlocked(database, 1);
    assert.match(psql(database, `SELECT query FROM pg_stat_activity WHERE datname = '${database}'
      AND wait_event_type = 'Lock' AND application_name = 'ticketmonster-web'`), /tm_account_orders/);
    for (const started = Date.now(); readsAnswered < 3;) {
      assert.ok(Date.now() - started < HANG_MS, `${readsAnswered} reads ran before the other lane's call`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Answers of calls already run reach their clients in a moment; none of the 3 still queued does.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readsAnswered, 3, 'a run of four public reads (the stuck one and three), then the other lane');

    await locks.pop().release();
    assert.equal((await other).status, 200);
    for (const res of await Promise.all(reads)) assert.equal(res.status, 200, JSON.stringify(res.body));
  } finally {
    for (const lock of locks) await lock.release();
    await stopCleanly(shim);
  }
});

test('DB_QUEUE_LIMIT: one call over the limit is 503 busy at once', async () => {
  const database = freshDatabase('http_queue_limit');
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '1', DB_QUEUE_LIMIT: '1',
    DB_QUEUE_TIMEOUT_MS: '600000', CACHE_MAX_AGE_MS: '0' } });
  let lock;
  try {
    lock = await holdLock(database, 'events');
    const stuck = api(shim.base, 'GET', '/events');
    await waitForBlocked(database, 1);
    // one of these two waits in the queue, the other finds it full
    const two = [api(shim.base, 'GET', '/artists'), api(shim.base, 'GET', '/artists')];
    const refused = await Promise.race(two);
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'busy');
    assert.match(refused.headers.get('retry-after'), /^\d+$/);
    await lock.release();
    lock = null;
    assert.equal((await stuck).status, 200);
    assert.deepEqual((await Promise.all(two)).map((r) => r.status).sort(), [200, 503]);
  } finally {
    await lock?.release();
    await stopCleanly(shim);
  }
});

test('password work runs two calls at a time, and everything else goes on beside it', async () => {
  const database = freshDatabase('http_queue_passwords');
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '4', PASSWORD_REQUESTS_PER_ADDRESS: '8' } });
  let lock;
  try {
    for (let i = 0; i < 6; i++) {
      assert.equal((await api(shim.base, 'POST', '/account', { body: { username: `pw${i}`, password: 'pw-password' } })).status, 201);
    }
    // A login writes its session: with sessions locked, logins wait in the database.
    lock = await holdLock(database, 'sessions');
    const logins = await requestsRead(shim.port, [0, 1, 2, 3, 4, 5]
      .map((i) => httpRequest('POST', '/login', { body: { username: `pw${i}`, password: 'pw-password' } })));
    await waitForBlocked(database, 2);
    // two database connections are free, yet the other four logins wait for their lane...
    assert.equal((await api(shim.base, 'GET', '/artist/999999')).status, 404);
    assert.equal(blockedCalls(database), 2, 'two password calls reached the database');
    await lock.release();
    lock = null;
    // ...and each gets its turn.
    for (const res of await Promise.all(logins)) assert.equal(res.status, 200, JSON.stringify(res.body));
  } finally {
    await lock?.release();
    await stopCleanly(shim);
  }
});
