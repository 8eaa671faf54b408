// `ticketmonster-web migrate`, the release step: an empty database, twice in a row, the
// refusals (wrong URL, non-owner, a web role with too much power, weak production keys),
// each ending with one clear line and a non-zero status. The update of a 1.0 database full
// of data through migrate is in test/upgrade/run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { psql, startShim, api, login } from '../lib/harness.mjs';
import { cli, oneLine, adminUrl, webUrl, emptyDatabase, memberships, SERVER_LOG } from './helpers.mjs';

const KEY = 'migrate-test-key-6f1c2b9e4d7a8035e1c4b2a9f0d3e6c7';

function env(database, webRole, extra = {}) {
  return {
    ADMIN_DATABASE_URL: adminUrl(database),
    DATABASE_URL: webUrl(database, webRole),
    SECRET_KEY: KEY,
    PRODUCTION: 'true',
    ...extra,
  };
}

test('on an empty database: creates the extension, grants the web role the API only, stores the key', async () => {
  emptyDatabase('tm_migrate_empty', 'tm_release_web');
  const r = cli(['migrate'], env('tm_migrate_empty', 'tm_release_web'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /extension ticketmonster 1\.1 created/);
  assert.match(r.stdout, /role "tm_release_web" granted ticketmonster_web/);
  const kid = r.stdout.match(/signing key stored as the current key \(kid ([^)]+)\)/)?.[1];
  assert.ok(kid, r.stdout);
  assert.equal(psql('tm_migrate_empty', "SELECT extversion FROM pg_extension WHERE extname = 'ticketmonster'"), '1.1');
  assert.equal(memberships('tm_release_web'), 'ticketmonster_web');

  // The web process, as that role, serves with the key the release step stored.
  psql('tm_migrate_empty', 'ALTER DATABASE tm_migrate_empty SET ticketmonster.password_cost = 1');
  const admin = cli(['create-admin', 'boss'], env('tm_migrate_empty', 'tm_release_web'), { input: 'boss-password-1\n' });
  assert.equal(admin.status, 0, admin.stderr);
  // The web process sends no key: tokens are signed with the one the release step stored.
  const shim = await startShim('tm_migrate_empty', { env: { DATABASE_URL: webUrl('tm_migrate_empty', 'tm_release_web'), SECRET_KEY: '' } });
  try {
    const token = await login(shim.base, 'boss', 'boss-password-1');
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    assert.equal(header.kid, kid, 'the token is signed with the key migrate stored');
    const created = await api(shim.base, 'POST', '/event', { token, body: {
      name: 'Release Party', place: 'Sala', city: 'Girona', date: '2099-01-01', price: 5, total_available_tickets: 9 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  } finally {
    await shim.stop();
  }
});

test('twice in a row: the second run changes nothing and says so', () => {
  emptyDatabase('tm_migrate_twice', 'tm_twice_web');
  const e = env('tm_migrate_twice', 'tm_twice_web');
  assert.equal(cli(['migrate'], e).status, 0);
  const schemaBefore = psql('tm_migrate_twice', 'SELECT count(*) FROM pg_depend WHERE deptype = \'e\'');
  const again = cli(['migrate'], e);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /extension ticketmonster 1\.1, up to date/);
  assert.match(again.stdout, /role "tm_twice_web" already has ticketmonster_web/);
  assert.match(again.stdout, /signing key unchanged/);
  assert.equal(again.stderr, '');
  assert.equal(psql('tm_migrate_twice', 'SELECT count(*) FROM pg_depend WHERE deptype = \'e\''), schemaBefore);
  assert.equal(memberships('tm_twice_web'), 'ticketmonster_web');
});

test('a wrong ADMIN_DATABASE_URL: one line, non-zero, and never the password of the URL', () => {
  emptyDatabase('tm_migrate_wrong', 'tm_wrong_web');
  for (const url of [
    'postgresql://postgres:hunter2-secret@127.0.0.1:1/tm_migrate_wrong',       // nothing listens
    `${adminUrl('tm_migrate_missing_db')}`,                                   // no such database
    'this is not a url',
  ]) {
    const r = cli(['migrate'], env('tm_migrate_wrong', 'tm_wrong_web', { ADMIN_DATABASE_URL: url }));
    assert.equal(r.status, 1, url);
    const line = oneLine(r.stderr);
    assert.ok(line, `one line expected, got: ${r.stderr}`);
    assert.match(line, /^ticketmonster-web migrate: cannot connect with ADMIN_DATABASE_URL: /);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  }
  const unset = cli(['migrate'], env('tm_migrate_wrong', 'tm_wrong_web', { ADMIN_DATABASE_URL: '' }));
  assert.equal(unset.status, 1);
  assert.match(oneLine(unset.stderr), /ADMIN_DATABASE_URL is not set/);
});

test('a role that does not own the extension: refused, nothing changed', () => {
  emptyDatabase('tm_migrate_owner', 'tm_owner_web');
  psql('postgres', "DROP ROLE IF EXISTS tm_not_owner; CREATE ROLE tm_not_owner LOGIN PASSWORD 'not-owner-password'");
  // Missing extension: a plain role cannot create it.
  let r = cli(['migrate'], env('tm_migrate_owner', 'tm_owner_web', { ADMIN_DATABASE_URL: adminUrl('tm_migrate_owner', 'tm_not_owner', 'not-owner-password') }));
  assert.equal(r.status, 1);
  assert.match(oneLine(r.stderr), /^ticketmonster-web migrate: cannot create extension ticketmonster: permission denied/);
  assert.equal(psql('tm_migrate_owner', "SELECT count(*) FROM pg_extension WHERE extname = 'ticketmonster'"), '0');
  // Present extension: a plain role may not update it nor grant its role.
  psql('tm_migrate_owner', 'CREATE EXTENSION ticketmonster');
  r = cli(['migrate'], env('tm_migrate_owner', 'tm_owner_web', { ADMIN_DATABASE_URL: adminUrl('tm_migrate_owner', 'tm_not_owner', 'not-owner-password') }));
  assert.equal(r.status, 1);
  assert.match(oneLine(r.stderr), /not the owner of extension ticketmonster \(postgres is\)/);
  assert.equal(memberships('tm_owner_web'), '');
});

test('a web role with more than the API is refused: superuser, the admin role itself, other roles, missing', () => {
  emptyDatabase('tm_migrate_power', 'tm_power_web');
  psql('postgres', 'DROP ROLE IF EXISTS tm_power_su; CREATE ROLE tm_power_su LOGIN SUPERUSER');
  psql('postgres', 'DROP ROLE IF EXISTS tm_power_other; CREATE ROLE tm_power_other; GRANT tm_power_other TO tm_power_web');
  const cases = [
    ['tm_power_su', /role "tm_power_su" is a superuser/],
    ['postgres', /role "postgres" is ADMIN_DATABASE_URL's role/],
    ['tm_power_web', /role "tm_power_web" is also a member of tm_power_other/],
    ['tm_power_nobody', /role "tm_power_nobody" does not exist/],
  ];
  for (const [role, message] of cases) {
    const r = cli(['migrate'], env('tm_migrate_power', role));
    assert.equal(r.status, 1, role);
    const line = oneLine(r.stderr);
    assert.ok(line, r.stderr);
    assert.match(line, message);
  }
  // Nothing of a failed release stays: not even the extension it created first.
  assert.equal(psql('tm_migrate_power', "SELECT count(*) FROM pg_extension WHERE extname = 'ticketmonster'"), '0');
  const noUser = cli(['migrate'], env('tm_migrate_power', 'x', { DATABASE_URL: `postgresql://127.0.0.1:${process.env.PGPORT}/tm_migrate_power` }));
  assert.equal(noUser.status, 1);
  assert.match(oneLine(noUser.stderr), /DATABASE_URL names no user/);
});

test('PRODUCTION refuses the development key, short keys and keys of low variety (issue 10 item 4)', () => {
  emptyDatabase('tm_migrate_keys', 'tm_keys_web');
  const development = readFileSync(new URL('../../shim/secret_key.c', import.meta.url), 'utf8')
    .match(/development_secret_key\[\] = "([^"]+)"/)[1];
  const weak = [
    [development, /development key/],
    ['a'.repeat(32), /low variety/],
    ['a'.repeat(200), /low variety/],
    ['0123456789abcdef0123456789abcdef', /low variety/],
    ['abcabcabcabcabcabcabcabcabcabcabcabc', /low variety/],
    ['short-but-random-9f8e7d', /shorter than 32/],
    ['', /SECRET_KEY is not set/],
  ];
  for (const [key, why] of weak) {
    const r = cli(['migrate'], env('tm_migrate_keys', 'tm_keys_web', { SECRET_KEY: key }));
    assert.equal(r.status, 1, key);
    assert.match(oneLine(r.stderr), why, key);
    assert.doesNotMatch(r.stderr, new RegExp(key || 'unused-never-matching'), 'the key is not echoed');
  }
  assert.equal(psql('tm_migrate_keys', "SELECT count(*) FROM pg_extension WHERE extname = 'ticketmonster'"), '0');
  // The same development key without PRODUCTION is a development setup: accepted.
  const dev = cli(['migrate'], env('tm_migrate_keys', 'tm_keys_web', { SECRET_KEY: development, PRODUCTION: '' }));
  assert.equal(dev.status, 0, dev.stderr);
});

test('the key travels as a bound parameter: not in the log even with log_statement = all', () => {
  emptyDatabase('tm_migrate_log', 'tm_log_web');
  psql('postgres', "ALTER DATABASE tm_migrate_log SET log_statement = 'all'");
  const key = 'never-in-the-log-5c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3';
  psql('tm_migrate_log', "SELECT 'statement-logging-is-on-7d1e'");
  const r = cli(['migrate'], env('tm_migrate_log', 'tm_log_web', { SECRET_KEY: key }));
  assert.equal(r.status, 0, r.stderr);
  const log = readFileSync(SERVER_LOG, 'utf8');
  assert.ok(log.includes('statement-logging-is-on-7d1e'), 'statements of this database are logged');
  assert.ok(!log.includes(key), 'the key is in the server log');
});

test('the web process with PRODUCTION refuses the same keys at start (issue 10 item 4)', () => {
  const development = readFileSync(new URL('../../shim/secret_key.c', import.meta.url), 'utf8')
    .match(/development_secret_key\[\] = "([^"]+)"/)[1];
  for (const key of [development, 'a'.repeat(32), 'short-9f8e7d']) {
    const r = cli([], { PRODUCTION: '1', SECRET_KEY: key, PORT: '1', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' });
    assert.equal(r.status, 1, key);
    assert.match(r.stderr, /PRODUCTION is set and SECRET_KEY is .*refusing to start/);
  }
});
