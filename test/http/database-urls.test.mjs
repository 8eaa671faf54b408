// The shim and a highly available database (docs/ha.md): DATABASE_URL with several hosts,
// READ_DATABASE_URL for public reads only, and the ambiguous commit answered 503, never 201
// or 409, and never run twice. The failover itself is `make ha-test` (test/ha/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, psql, startShim, freshDatabase, freeLowPort, login, APP_ROLE, APP_PASSWORD } from '../lib/harness.mjs';
import { stopCleanly } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A user with money, made from the console.
function buyer(database, name) {
  psql(database, `SET ticketmonster.password_cost = 1;
    SELECT tm_account_create(jsonb_build_object('username', '${name}', 'password', 'password-${name}'));
    UPDATE accounts SET available_money = 1000 WHERE username = '${name}'`);
}

function gig(database, name) {
  return Number(psql(database, `SELECT tm_event_create(NULL, jsonb_build_object('name', '${name}',
    'place', 'Club', 'city', 'Girona', 'date', '2031-05-05', 'price', 10,
    'total_available_tickets', 100)) -> 'event' ->> 'id'`));
}

test('DATABASE_URL with several hosts: libpq skips a host that is down and serves from the next', async () => {
  const database = freshDatabase('http_multihost');
  buyer(database, 'multi');
  const eventId = gig(database, 'Multi Host Gig');
  const down = await freeLowPort();       // nothing listens there
  const url = `postgresql://${APP_ROLE}:${encodeURIComponent(APP_PASSWORD)}@127.0.0.1:${down},127.0.0.1:${process.env.PGPORT}/${database}` +
    '?target_session_attrs=read-write&connect_timeout=3';
  const shim = await startShim(database, { env: { DATABASE_URL: url, WEB_CONCURRENCY: '2' } });
  try {
    assert.equal((await api(shim.base, 'GET', '/readyz')).status, 200);
    const token = await login(shim.base, 'multi', 'password-multi');
    const res = await api(shim.base, 'POST', '/orders/multi', { token, body: { event_id: eventId, tickets_bought: 2 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(psql(database, `SELECT sum(tickets_bought) FROM orders WHERE username = 'multi'`), '2');
  } finally {
    await stopCleanly(shim);
  }
});

test('READ_DATABASE_URL: public reads from it, a buyer\'s own data and every write from DATABASE_URL', async () => {
  // Two databases stand for the primary and a standby that differ, so every answer shows
  // where it came from; the reader role is read-only, as a standby is.
  const primary = freshDatabase('http_read_primary');
  const replica = freshDatabase('http_read_replica');
  psql(replica, `DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tm_reader') THEN CREATE ROLE tm_reader LOGIN; END IF;
    END $$;
    ALTER ROLE tm_reader PASSWORD 'tm-reader-test-password';
    GRANT ticketmonster_web TO tm_reader;
    ALTER ROLE tm_reader SET default_transaction_read_only = on;`);
  const primaryGig = gig(primary, 'Primary Gig');
  const replicaGig = gig(replica, 'Replica Gig');
  psql(replica, `SELECT tm_event_artist_add(NULL, ${replicaGig}, '{"name": "Replica Band", "country": "Spain", "genre": "POP"}')`);
  const artistId = Number(psql(replica, `SELECT id FROM artists WHERE name = 'Replica Band'`));
  buyer(primary, 'reader');

  const shim = await startShim(primary, { env: {
    READ_DATABASE_URL: `postgresql://tm_reader:tm-reader-test-password@127.0.0.1:${process.env.PGPORT}/${replica}?target_session_attrs=prefer-standby`,
    WEB_CONCURRENCY: '2' } });
  try {
    // Every public read comes from the read database, and works on a read-only one.
    const events = await api(shim.base, 'GET', '/events');
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.deepEqual(events.body.events.map((e) => e.name), ['Replica Gig']);
    for (const path of [`/event/${replicaGig}`, `/event/${replicaGig}/artists`,
      `/event/${replicaGig}/artist/${artistId}`, '/artists', `/artist/${artistId}`, `/artist/${artistId}/events`]) {
      const res = await api(shim.base, 'GET', path);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    }

    // Writes and the caller's own data: the primary (the read database has no such user).
    const token = await login(shim.base, 'reader', 'password-reader');
    const bought = await api(shim.base, 'POST', '/orders/reader', { token,
      body: { event_id: primaryGig, tickets_bought: 3 }, headers: { 'Idempotency-Key': 'read-1' } });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    const account = await api(shim.base, 'GET', '/account/reader', { token });
    assert.equal(account.status, 200, JSON.stringify(account.body));
    assert.equal(account.body.account.available_money, 1000 - 30, 'the balance right after the purchase');
    const orders = await api(shim.base, 'GET', '/orders/reader', { token });
    assert.equal(orders.status, 200);
    assert.deepEqual(orders.body.orders.map((o) => [o.event_id, o.tickets_bought]), [[primaryGig, 3]]);
    assert.equal(psql(replica, 'SELECT count(*) FROM orders'), '0');
  } finally {
    await stopCleanly(shim);
  }
});

test('READ_DATABASE_URL unset: public reads use DATABASE_URL', async () => {
  const database = freshDatabase('http_read_unset');
  gig(database, 'Only Gig');
  const shim = await startShim(database);
  try {
    const events = await api(shim.base, 'GET', '/events');
    assert.deepEqual(events.body.events.map((e) => e.name), ['Only Gig']);
  } finally {
    await stopCleanly(shim);
  }
});

test('the connection dies while a purchase commits: 503, not run again; the same key settles it', async () => {
  const database = freshDatabase('http_ambiguous');
  buyer(database, 'amb');
  const eventId = gig(database, 'Ambiguous Gig');
  // The commit of the first purchase waits (a deferred trigger, as a synchronous standby
  // makes a commit wait) until the test ends its session: the function's row has been sent,
  // its commit has not finished. Later attempts commit at once (a sequence is not rolled back).
  psql(database, `
    CREATE SEQUENCE ambiguous_attempts;
    CREATE FUNCTION ambiguous_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      IF nextval('public.ambiguous_attempts') = 1 THEN
        PERFORM pg_sleep(600);
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER ambiguous_commit AFTER INSERT ON orders
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ambiguous_commit();`);
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '2' } });
  try {
    const token = await login(shim.base, 'amb', 'password-amb');
    const body = { event_id: eventId, tickets_bought: 1 };
    const headers = { 'Idempotency-Key': 'ambiguous-1' };
    let answered = null;
    const pending = api(shim.base, 'POST', '/orders/amb', { token, body, headers })
      .then((res) => { answered = res; return res; });

    // The backend waits in the commit: end its session, as a dying primary would.
    let pid = '';
    while (!pid) {
      assert.equal(answered, null, 'answered before its commit was reached');
      pid = psql(database, `SELECT pid FROM pg_stat_activity
        WHERE datname = '${database}' AND application_name = 'ticketmonster-web' AND wait_event = 'PgSleep'`);
      if (!pid) await sleep(20);
    }
    psql(database, `SELECT pg_terminate_backend(${pid})`);
    const res = await pending;
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.code, 'unavailable');
    assert.equal(psql(database, `SELECT count(*) FROM orders WHERE username = 'amb'`), '0',
      'the shim did not run the purchase again by itself');

    // The client's retry with the same key buys once; one more retry returns the same order.
    const retried = await api(shim.base, 'POST', '/orders/amb', { token, body, headers });
    assert.equal(retried.status, 201, JSON.stringify(retried.body));
    const again = await api(shim.base, 'POST', '/orders/amb', { token, body, headers });
    assert.equal(again.status, 201);
    assert.equal(again.body.order.id, retried.body.order.id);
    assert.equal(psql(database, `SELECT count(*) FROM orders WHERE username = 'amb'`), '1');
  } finally {
    await stopCleanly(shim);
  }
});

test('a write whose session ended before it ran is run again on a new connection', async () => {
  const database = freshDatabase('http_session_ended');
  buyer(database, 'fresh');
  const eventId = gig(database, 'Fresh Gig');
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '1' } });
  try {
    const token = await login(shim.base, 'fresh', 'password-fresh');
    // The one worker's connection is ended while idle; its FATAL may or may not have arrived
    // when the next purchase is sent, and either way the purchase succeeds exactly once.
    for (let i = 0; i < 5; i++) {
      psql(database, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = '${database}' AND application_name = 'ticketmonster-web'`);
      const res = await api(shim.base, 'POST', '/orders/fresh', { token,
        body: { event_id: eventId, tickets_bought: 1 }, headers: { 'Idempotency-Key': `fresh-${i}` } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    assert.equal(psql(database, `SELECT count(*) FROM orders WHERE username = 'fresh'`), '5');
  } finally {
    await stopCleanly(shim);
  }
});
