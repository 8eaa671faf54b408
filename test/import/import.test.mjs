// `ticketmonster-web import` end to end: a database made by the original Flask app itself
// (original_app.py: its models, db.create_all(), passlib hashes, the oddities years of it
// leave), in SQLite and in PostgreSQL, imported, then used through the HTTP API: its users
// log in with their old passwords, their balances, orders and the stock are what the report
// promised. Also: --dry-run, importing twice, into a database with data, bad sources.
// TM_IMPORT_BIN picks the binary (test/import/run gives the ASan build); every run of it
// fails the test on a sanitizer report.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, psql, freshDatabase, startShim, api, login, databaseUrl } from '../lib/harness.mjs';
import { stopCleanly } from '../http/helpers.mjs';

const BIN = path.resolve(ROOT, process.env.TM_IMPORT_BIN || 'shim/ticketmonster-web');
const WORK = path.join(ROOT, '.tmp/import-test');
const SQLITE_SOURCE = path.join(WORK, 'data.db');
const PG_SOURCE = 'import_source_pg';

// libpq takes host, port and user from the environment run-all sets, so the URLs name
// only the database.
const url = (database) => `postgresql:///${database}`;

// Debian's python3, which has Flask-SQLAlchemy and passlib (another python3 may come first).
function originalApp(uri, linkTable, ...flags) {
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'test/import/original_app.py'), uri, linkTable, ...flags],
    { stdio: ['ignore', 'inherit', 'inherit'] });
}

function runImport(args, { target, env = {} } = {}) {
  const res = spawnSync(BIN, ['import', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...(target ? { ADMIN_DATABASE_URL: url(target) } : {}), ...env },
  });
  const all = res.stdout + res.stderr;
  assert.doesNotMatch(all, /(AddressSanitizer|LeakSanitizer|runtime error:)/, 'sanitizer report:\n' + all);
  return res;
}

function importJson(args, target) {
  const res = runImport([...args, '--json'], { target });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stderr, '');
  return JSON.parse(res.stdout);
}

// Everything tm_import could write, as one comparable value.
function snapshot(database) {
  return psql(database, `SELECT concat_ws(' ',
    (SELECT string_agg(username || ':' || available_money, ',' ORDER BY username) FROM accounts),
    (SELECT string_agg(id || ':' || tickets_left, ',' ORDER BY id) FROM events),
    (SELECT count(*) FROM artists), (SELECT count(*) FROM event_artists),
    (SELECT string_agg(id::text, ',' ORDER BY id) FROM orders), (SELECT count(*) FROM imports),
    pg_sequence_last_value(pg_get_serial_sequence('events', 'id')),
    pg_sequence_last_value(pg_get_serial_sequence('orders', 'id')))`);
}

const reasonOf = (report, table, row) =>
  report.skipped.find((s) => s.table === table && s.row === row)?.reason;

before(() => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  originalApp(`sqlite:///${SQLITE_SOURCE}`, 'artists_in_events', '--sqlite-only-oddities');
  execFileSync('dropdb', ['--if-exists', '--force', PG_SOURCE]);
  execFileSync('createdb', [PG_SOURCE]);
  originalApp(url(PG_SOURCE), 'tags', 'id_event', 'id_artist');
});

// What both sources share: who logs in, with what money, which orders and stock.
async function checkThroughHttp(database, { lastEventId, lastOrderId }) {
  const shim = await startShim(database);
  try {
    const { base } = shim;
    // passlib's sha512_crypt at its default cost, then replaced by our hash on first login
    const alice = await login(base, 'alice', 'alice-old-password');
    assert.match(psql(database, "SELECT password_hash FROM accounts WHERE username = 'alice'"), /^\$y\$/);
    await login(base, 'alice', 'alice-old-password');
    assert.equal((await api(base, 'POST', '/login', { body: { username: 'alice', password: 'wrong' } })).status, 400);
    await login(base, 'eve', 'eve-password'); // sha256_crypt
    const bob = await login(base, 'bob', 'bob'); // imported accounts keep their (short) passwords
    const boss = await api(base, 'POST', '/login', { body: { username: 'boss', password: 'boss-password' } });
    assert.equal(boss.status, 200);
    assert.equal(boss.body.is_admin, 1);
    for (const name of ['Dave', 'dave', 'mallory', 'oscar']) {
      const res = await api(base, 'POST', '/login', { body: { username: name, password: 'dave-lower' } });
      assert.equal(res.status, 404, `${name} was not to be imported`);
    }

    const money = async (name, token) =>
      (await api(base, 'GET', `/account/${name}`, { token })).body.account.available_money;
    assert.equal(await money('alice', alice), 150);
    assert.equal(await money('bob', bob), 0); // NULL in the source
    assert.equal(await money('carol', boss.body.token), 0); // -20 in the source

    const orders = (await api(base, 'GET', '/orders/alice', { token: alice })).body.orders
      .sort((a, b) => a.id - b.id);
    assert.deepEqual(orders.map((o) => [o.id, o.event_id, o.event_name, o.tickets_bought, o.price, o.status]),
      [[1, 1, 'Canet Rock', 2, 50, 'confirmed'], [2, 2, 'Future Fest', 1, 20, 'confirmed']]);
    // imported orders get their tickets, one code each, which the door accepts once
    assert.deepEqual(orders.map((o) => o.tickets.length), [2, 1]);
    const code = orders[1].tickets[0].code;
    assert.match(code, /^[A-Za-z0-9_-]{22}$/);
    const scan = await api(base, 'POST', '/checkin', { token: boss.body.token, body: { code } });
    assert.equal(scan.status, 200, JSON.stringify(scan.body));
    assert.equal(scan.body.order.id, 2);
    assert.equal((await api(base, 'POST', '/checkin', { token: boss.body.token, body: { code } })).status, 409);
    const all = (await api(base, 'GET', '/orders', { token: boss.body.token })).body.orders;
    assert.deepEqual(all.map((o) => o.id).sort((a, b) => a - b), [1, 2, 3, 8]);

    // ids kept, stock as the source had it (what is left), line-ups without the duplicate
    const canet = (await api(base, 'GET', '/event/1')).body.event;
    assert.equal(canet.total_available_tickets, 100);
    assert.equal(canet.capacity, 103); // what is left + the imported orders' tickets
    assert.equal(canet.past, true);
    assert.deepEqual(canet.artists.map((a) => a.name), ['Manel', 'Txarango']);
    assert.equal((await api(base, 'GET', '/event/6')).body.event.total_available_tickets, 0);
    assert.equal((await api(base, 'GET', '/event/3')).status, 404);
    assert.equal((await api(base, 'GET', '/artist/3')).body.artist.genre, 'POP');

    // new rows continue after every id of the source, imported or not
    const created = await api(base, 'POST', '/event', { token: boss.body.token, body: {
      name: 'New Gig', place: 'Sala', city: 'Reus', date: '2032-02-02', price: 10, total_available_tickets: 5 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.event.id, lastEventId + 1);
    const bought = await api(base, 'POST', '/orders/alice', { token: alice, body: { event_id: 2, tickets_bought: 1 } });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    assert.equal(bought.body.order.id, lastOrderId + 1);
    assert.equal(await money('alice', alice), 130);
    const future = (await api(base, 'GET', '/event/2')).body.event;
    assert.deepEqual([future.total_available_tickets, future.capacity], [9, 11]);
  } finally {
    await stopCleanly(shim);
  }
}

test('SQLite data.db: report, then logins, balances, orders and stock through HTTP', async () => {
  const target = freshDatabase('import_sqlite');
  // as the old app's config spells it: sqlite:/// + the path
  const report = importJson([`sqlite:///${SQLITE_SOURCE}`], target);
  assert.equal(report.status, 'imported');
  assert.equal(report.link_table, 'artists_in_events');
  assert.deepEqual(report.tables, {
    accounts: { read: 10, imported: 5, skipped: 5 },
    artists: { read: 4, imported: 3, skipped: 1 },
    events: { read: 5, imported: 3, skipped: 2 },
    event_artists: { read: 6, imported: 3, skipped: 3 },
    orders: { read: 12, imported: 4, skipped: 8 },
  });
  assert.match(reasonOf(report, 'accounts', 'Dave'), /differs only in letter case/);
  assert.match(reasonOf(report, 'accounts', 'dave'), /differs only in letter case/);
  assert.match(reasonOf(report, 'accounts', 'mallory'), /not a password hash/);
  assert.match(reasonOf(report, 'accounts', 'oscar'), /damaged sha512_crypt/);
  assert.match(reasonOf(report, 'accounts', 'a_username_longer_than_thirty_chars'), /longer than 30/);
  assert.match(reasonOf(report, 'events', '3'), /"05\/07\/2020" is not a date/);
  assert.match(reasonOf(report, 'events', '7'), /longer than 30/);
  assert.match(reasonOf(report, 'artists', '4'), /genre "JAZZ"/);
  assert.match(reasonOf(report, 'event_artists', 'event 1, artist 1'), /same pair again/);
  assert.match(reasonOf(report, 'orders', '4'), /event 4 does not exist in the source/);
  assert.match(reasonOf(report, 'orders', '7'), /event 3 was not imported/);
  assert.match(reasonOf(report, 'orders', '10'), /tickets_bought 0/);
  assert.match(reasonOf(report, 'orders', '12'), /"boss" is an admin/);
  assert.deepEqual(report.adjusted.map((a) => [a.row, a.change]), [
    ['bob', 'available_money NULL set to 0'],
    ['carol', 'available_money -20 set to 0 (a debt the original app let happen)'],
  ]);
  assert.deepEqual(report.renumbered, []);
  await checkThroughHttp(target, { lastEventId: 7, lastOrderId: 12 });

  // the same source again: a no-op that says so
  const before = snapshot(target);
  const again = runImport([SQLITE_SOURCE], { target });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /imported already, on \d{4}-\d\d-\d\dT.*nothing to do \(no-op\)/);
  assert.equal(snapshot(target), before);
});

test('Heroku Postgres source (line-ups in "tags", columns id_event and id_artist): the same users, money and orders', async () => {
  const target = freshDatabase('import_pg');
  const res = runImport([url(PG_SOURCE)], { target });
  assert.equal(res.status, 0, res.stderr);
  // the human report: counts per table, each skipped row with its reason, the changes
  assert.match(res.stdout, /line-ups in table tags/);
  assert.match(res.stdout, /^ {2}accounts +9 +5 +4$/m);
  assert.match(res.stdout, /^ {2}orders +11 +4 +7$/m);
  assert.match(res.stdout, /^ {2}orders 4: its event 4 does not exist in the source/m);
  assert.match(res.stdout, /^ {2}accounts carol: available_money -20 set to 0/m);
  assert.match(res.stdout, /import: committed\n$/);
  await checkThroughHttp(target, { lastEventId: 6, lastOrderId: 12 });
});

test('--dry-run checks everything and writes nothing, not even a sequence', () => {
  const target = freshDatabase('import_dry');
  const before = snapshot(target);
  const res = runImport([SQLITE_SOURCE, '--dry-run'], { target });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /^ {2}orders +12 +4 +8$/m);
  assert.match(res.stdout, /dry run, nothing written/);
  assert.equal(snapshot(target), before);
  // and the real import afterwards is not mistaken for a repeat
  assert.equal(importJson([SQLITE_SOURCE], target).status, 'imported');
});

test('--strict refuses a source with rows to skip, and writes nothing', () => {
  const target = freshDatabase('import_strict');
  const before = snapshot(target);
  const res = runImport([url(PG_SOURCE), '--strict'], { target });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /^ticketmonster-web import: 14 source rows would be skipped and 2 changed, and the import is strict/);
  assert.equal(snapshot(target), before);
});

test('into a database with data: refused unless asked; then taken ids get new ones', () => {
  const target = freshDatabase('import_existing');
  psql(target, `SELECT tm_event_create(NULL, '{"name": "Local Gig", "place": "Bar", "city": "Reus",
    "date": "2031-03-03", "price": 8, "total_available_tickets": 20}')`);
  // the same artist as the source's Manel (id 2), and another one under Txarango's name
  psql(target, `SELECT tm_artist_create(NULL, '{"name": "Opener", "country": "Spain", "genre": "POP"}'),
    tm_artist_create(NULL, '{"name": "Manel", "country": "Spain", "genre": "indie"}'),
    tm_artist_create(NULL, '{"name": "Txarango", "country": "Andorra", "genre": "POP"}')`);
  const before = snapshot(target);
  const refused = runImport([url(PG_SOURCE)], { target });
  assert.equal(refused.status, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^ticketmonster-web import: the database already has data \(0 user accounts, 1 events, 3 artists, 0 orders\)\. .*--into-existing-data/);
  assert.equal(refused.stderr.trimEnd().split('\n').length, 1);
  assert.equal(snapshot(target), before);

  const report = importJson([url(PG_SOURCE), '--into-existing-data'], target);
  // event 1 takes a new id; Manel is the artist already here (id 2 too)
  // (Txarango of the source is skipped; Oques Grasses's id 3 is Txarango of Andorra's here)
  assert.deepEqual(report.renumbered, [{ table: 'artists', from: 3, to: 4 }, { table: 'events', from: 1, to: 7 }]);
  assert.match(reasonOf(report, 'artists', '1'), /another artist is named "Txarango" already, with another country or genre/);
  assert.match(report.adjusted.find((a) => a.table === 'artists' && a.row === '2').change, /the same artist as artist 2 already here/);
  assert.deepEqual(report.tables.artists, { read: 3, imported: 2, skipped: 1 });
  assert.equal(psql(target, "SELECT string_agg(a.name, ',' ORDER BY a.name) FROM event_artists l JOIN artists a ON a.id = l.artist_id WHERE l.event_id = 7"), 'Manel');
  assert.equal(psql(target, 'SELECT name FROM events WHERE id = 1'), 'Local Gig');
  // alice's first order follows its event to the new id
  assert.equal(psql(target, 'SELECT e.name FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = 1'), 'Canet Rock');
  assert.equal(psql(target, 'SELECT event_id FROM orders WHERE id = 1'), '7');
});

test('bad sources and targets: one line on stderr, a non-zero exit, nothing written', () => {
  const target = freshDatabase('import_bad');
  const notSqlite = path.join(WORK, 'not-a-database.db');
  writeFileSync(notSqlite, 'username,password\nalice,secret\n'.repeat(100));
  const otherSqlite = path.join(WORK, 'other-app.db');
  execFileSync('sqlite3', [otherSqlite, 'CREATE TABLE accounts (username TEXT PRIMARY KEY, password TEXT)']);
  execFileSync('dropdb', ['--if-exists', '--force', 'import_other_pg']);
  execFileSync('createdb', ['import_other_pg']);
  psql('import_other_pg', `CREATE TABLE accounts (username text PRIMARY KEY, password text NOT NULL,
    is_admin int, available_money int); CREATE TABLE events (id int PRIMARY KEY, name text)`);
  const noLinkSqlite = path.join(WORK, 'no-link.db');
  originalApp(`sqlite:///${noLinkSqlite}`, 'artists_in_events');
  execFileSync('sqlite3', [noLinkSqlite, 'DROP TABLE artists_in_events']);

  const cases = [
    [['postgresql://nobody@127.0.0.1:1/nothing'], {}, /cannot connect to the source database: .*127\.0\.0\.1.*port 1/],
    [[notSqlite], {}, /not-a-database\.db is not a SQLite database/],
    [[path.join(WORK, 'missing.db')], {}, /cannot open .*missing\.db/],
    [[otherSqlite], {}, /table "accounts" of the source has no column "is_admin": this is not the original/],
    [[url('import_other_pg')], {}, /the source has no table "artists": this is not the original/],
    [[noLinkSqlite], {}, /no table links events and artists/],
    [[SQLITE_SOURCE], { ADMIN_DATABASE_URL: '' }, /ADMIN_DATABASE_URL is not set/],
    [[SQLITE_SOURCE], { ADMIN_DATABASE_URL: databaseUrl(target) }, /permission denied for function tm_import/],
    [[SQLITE_SOURCE], { ADMIN_DATABASE_URL: 'postgresql://127.0.0.1:1/x' }, /cannot connect with ADMIN_DATABASE_URL/],
  ];
  const before = snapshot(target);
  for (const [args, env, message] of cases) {
    const res = runImport(args, { target, env });
    assert.equal(res.status, 1, `${args}: ${res.stdout}${res.stderr}`);
    assert.equal(res.stdout, '');
    assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^ticketmonster-web import: /);
    assert.match(res.stderr, message);
  }
  assert.equal(snapshot(target), before);

  // usage errors: 2
  assert.equal(runImport([], { target }).status, 2);
  assert.equal(runImport([SQLITE_SOURCE, '--force'], { target }).status, 2);
  assert.equal(snapshot(target), before);
});

test('tm_import is for the console only, whatever EXECUTE says', () => {
  const target = freshDatabase('import_console');
  const res = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target,
    '-c', 'GRANT EXECUTE ON FUNCTION tm_import(jsonb, jsonb) TO tm_app',
    '-c', 'SET ROLE tm_app',
    '-c', `SELECT tm_import('{"accounts": [], "artists": [], "events": [], "event_artists": [], "orders": []}')`],
  { encoding: 'utf8' });
  assert.notEqual(res.status, 0);
  assert.match(res.stderr, /only the database console may do this/);
  assert.equal(psql(target, 'SELECT count(*) FROM imports'), '0');
});
