// `ticketmonster-web create-admin NAME` / `create-staff NAME` (issue 10 item 14): the
// password comes from standard input or a prompt without echo, and travels as a bound
// parameter, so it reaches neither the SQL text nor the server's log, even when the
// statement fails or every statement is logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, SHIM, psql, freshDatabase, startShim, api, login } from '../lib/harness.mjs';
import { cli, oneLine, adminUrl, SERVER_LOG } from './helpers.mjs';

const DB = 'tm_create_account';

function logSince(offset) {
  return readFileSync(SERVER_LOG, 'utf8').slice(offset);
}
function logSize() {
  return readFileSync(SERVER_LOG, 'utf8').length;
}

test('the attack: tm_create_admin typed into psql puts the password into the log when it fails', () => {
  freshDatabase(DB, { admin: ['boss', 'boss-password-1'] });
  const from = logSize();
  const r = spawnSync('psql', ['-X', '-q', '-d', DB, '-c', "SELECT tm_create_admin('boss', 'leaked-in-psql-91a7')"], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'the duplicate name fails');
  assert.ok(logSince(from).includes('leaked-in-psql-91a7'), 'the failed statement is logged with the password');
});

test('create-admin from standard input: the account works, the password is in no log', async () => {
  freshDatabase(DB, { admin: null });
  psql('postgres', `ALTER DATABASE ${DB} SET log_statement = 'all'`);
  const from = logSize();
  const password = 'stdin-admin-password-3f9c';
  const ok = cli(['create-admin', 'Root'], { ADMIN_DATABASE_URL: adminUrl(DB) }, { input: `${password}\n` });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /admin account "Root" created/);
  // A failure (the name is taken) logs its statement: without the password.
  const dup = cli(['create-admin', 'Root'], { ADMIN_DATABASE_URL: adminUrl(DB) }, { input: `${password}-again\n` });
  assert.equal(dup.status, 1);
  assert.match(oneLine(dup.stderr), /^ticketmonster-web create-admin: tm_create_admin failed: /);
  const log = logSince(from);
  assert.ok(!log.includes(password), 'the password is in the server log');
  assert.ok(log.includes('tm_create_admin($1, $2)'), 'the failed statement itself is logged, as text with placeholders');

  const shim = await startShim(DB);
  try {
    const token = await login(shim.base, 'Root', password);
    const me = await api(shim.base, 'GET', '/account/Root', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.account.is_admin, 1);
  } finally {
    await shim.stop();
  }
});

test('create-admin at a terminal: prompts twice, no echo, mismatch refused', () => {
  freshDatabase(DB, { admin: null });
  const helper = path.join(ROOT, 'test/cli/tty-password.py');
  const password = 'typed-at-the-tty-6b2d';
  const run = (name, typed, prompts) => spawnSync(helper, [typed, String(prompts), 'env',
    `ADMIN_DATABASE_URL=${adminUrl(DB)}`, SHIM, 'create-admin', name], { encoding: 'utf8' });
  const r = run('ttyadmin', password, 2);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Password for the new admin account:/);
  assert.match(r.stdout, /Again:/);
  assert.ok(!r.stdout.includes(password), `the password was echoed: ${r.stdout}`);
  assert.match(r.stdout, /admin account "ttyadmin" created/);
  assert.equal(psql(DB, "SELECT is_admin FROM accounts WHERE username = 'ttyadmin'"), 't');

  const mismatch = run('ttyother', `${password},${password}-typo`, 2);
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.stdout, /create-admin: the passwords differ/);
  assert.equal(psql(DB, "SELECT count(*) FROM accounts WHERE username = 'ttyother'"), '0');
});

test('create-staff: a door staff account, with the same care for the password', async () => {
  freshDatabase(DB, { admin: null });
  psql('postgres', `ALTER DATABASE ${DB} SET log_statement = 'all'`);
  const from = logSize();
  const password = 'door-staff-password-88e1';
  const r = cli(['create-staff', 'door1'], { ADMIN_DATABASE_URL: adminUrl(DB) }, { input: `${password}\n` });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /staff account "door1" created/);
  assert.ok(!logSince(from).includes(password), 'the password is in the server log');
  const shim = await startShim(DB);
  try {
    const token = await login(shim.base, 'door1', password);
    const me = await api(shim.base, 'GET', '/account/door1', { token });
    assert.equal(me.body.account.role, 'staff');
    assert.equal(me.body.account.is_admin, 0);
  } finally {
    await shim.stop();
  }
});

test('no password, no name, or no ADMIN_DATABASE_URL: one line and non-zero, nothing created', () => {
  freshDatabase(DB, { admin: null });
  const e = { ADMIN_DATABASE_URL: adminUrl(DB) };
  for (const [args, input, message] of [
    [['create-admin', 'x1'], '', /no password on standard input/],
    [['create-admin', 'x1'], '\n', /no password on standard input/],
    [['create-admin'], 'pw-long-enough\n', /usage: ticketmonster-web create-admin NAME/],
    [['create-staff'], 'pw-long-enough\n', /usage: ticketmonster-web create-staff NAME/],
  ]) {
    const r = cli(args, e, { input });
    assert.equal(r.status, 1, args.join(' '));
    assert.match(oneLine(r.stderr), message);
  }
  const noUrl = cli(['create-admin', 'x1'], {}, { input: 'pw-long-enough\n' });
  assert.equal(noUrl.status, 1);
  assert.match(oneLine(noUrl.stderr), /ADMIN_DATABASE_URL is not set/);
  assert.equal(psql(DB, 'SELECT count(*) FROM accounts'), '0');
  assert.equal(cli(['no-such-command'], e).status, 2);
});
