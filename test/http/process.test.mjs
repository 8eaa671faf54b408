// The process contract: configuration from the environment, DATABASE_URL forms, refusing
// unsafe production settings, and a clean, quick exit on SIGTERM that lets requests finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { api, startShim, freshDatabase, databaseUrl, superuserPassword, SHIM, ROOT, SECRET_KEY, APP_PASSWORD } from '../lib/harness.mjs';
import { stopCleanly } from './helpers.mjs';

const database = freshDatabase('http_process');

// Runs the shim expecting it to exit by itself (bad configuration). The timeout only ends a
// shim that would serve instead of exiting: a bound for that failure, not a speed target.
function runToExit(env) {
  return spawnSync(SHIM, [], {
    cwd: ROOT, encoding: 'utf8', timeout: 120000,
    env: { PATH: process.env.PATH, PORT: '1', ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', ...env },
  });
}

test('--help lists the settings', () => {
  const res = spawnSync(SHIM, ['--help'], { encoding: 'utf8', env: { ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '' } });
  assert.equal(res.status, 0);
  for (const name of ['PORT', 'DATABASE_URL', 'SECRET_KEY', 'PRODUCTION', 'TOKEN_TTL', 'CORS_ORIGINS', 'STATIC_DIR', 'WEB_CONCURRENCY',
    'LEGACY_CLIENTS']) {
    assert.match(res.stdout, new RegExp(name));
  }
});

test('PRODUCTION without a real SECRET_KEY refuses to start', () => {
  for (const env of [{ PRODUCTION: 'true' }, { PRODUCTION: '1', SECRET_KEY: 'short' }, { PRODUCTION: 'yes', SECRET_KEY: '' }]) {
    const res = runToExit(env);
    assert.equal(res.status, 1, JSON.stringify(env) + res.stderr);
    assert.match(res.stderr, /SECRET_KEY/);
  }
});

test('HTTP_THREADS below 1 refuses to start', () => {
  const res = runToExit({ HTTP_THREADS: '0' });
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stderr, /HTTP_THREADS must be a number from 1 to 64/);
});

// libmicrohttpd 0.9.75's epoll loop stalls a thread whose ready connections number exactly
// 128, until some other event (shim/main.c): 128 keep-alive connections asking at once,
// round after round, on one HTTP thread. A stall lasts up to the connection timeout (30 s);
// a round that ends at all within ROUND_HANG_MS was not stalled, however slow the machine.
test('one HTTP thread answers 128 connections that all ask at once', async () => {
  const ROUND_HANG_MS = 20000;
  const shim = await startShim(database, { env: { HTTP_THREADS: '1', MAX_CONNECTIONS_PER_ADDRESS: '200' } });
  const sockets = await Promise.all(Array.from({ length: 128 }, () => new Promise((resolve, reject) => {
    const socket = connect(shim.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  })));
  try {
    for (let round = 0; round < 10; round++) {
      const answers = sockets.map((socket) => new Promise((resolve) => {
        let text = '';
        const onData = (d) => {
          text += d.toString('latin1');
          if (text.endsWith('{"status":"ok"}')) {
            socket.off('data', onData);
            resolve(text);
          }
        };
        socket.on('data', onData);
      }));
      for (const socket of sockets) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      let timer;
      const hung = new Promise((resolve) => { timer = setTimeout(resolve, ROUND_HANG_MS, 'hung'); });
      const outcome = await Promise.race([Promise.all(answers), hung]);
      clearTimeout(timer);
      assert.notEqual(outcome, 'hung', `round ${round}: not every connection was answered`);
      for (const text of outcome) assert.match(text, /^HTTP\/1\.1 200 /);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    await stopCleanly(shim);
  }
});

test('PRODUCTION refuses a superuser database role', () => {
  const res = runToExit({
    PRODUCTION: 'true', SECRET_KEY,
    DATABASE_URL: databaseUrl(database, 'postgres', superuserPassword()),
  });
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stderr, /superuser/);
});

test('development: superuser is only a warning, and no SECRET_KEY means the development key', async () => {
  const shim = await startShim(database, { env: {
    SECRET_KEY: '', DATABASE_URL: databaseUrl(database, 'postgres', superuserPassword()).replace(/^postgresql:/, 'postgres:') } });
  try {
    assert.equal((await api(shim.base, 'GET', '/readyz')).status, 200);
    await shim.waitForOutput(/warning: .*superuser/);
    await shim.waitForOutput(/warning: SECRET_KEY/);
  } finally {
    await stopCleanly(shim);
  }
});

test('DATABASE_URL: postgres:// and postgresql:// both work, and sslmode is honoured', async () => {
  for (const scheme of ['postgres', 'postgresql']) {
    const shim = await startShim(database, { env: {
      DATABASE_URL: `${scheme}://tm_app:${APP_PASSWORD}@127.0.0.1:${process.env.PGPORT}/${database}?sslmode=disable` } });
    try {
      assert.equal((await api(shim.base, 'GET', '/readyz')).status, 200, scheme);
    } finally {
      await stopCleanly(shim);
    }
  }
  // The test cluster has no SSL: a URL that requires it must not get a connection.
  const ssl = await startShim(database, { env: {
    DATABASE_URL: `postgres://tm_app:${APP_PASSWORD}@127.0.0.1:${process.env.PGPORT}/${database}?sslmode=require` } });
  try {
    const res = await api(ssl.base, 'GET', '/readyz');
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'));
  } finally {
    await stopCleanly(ssl);
  }
});

test('SIGTERM: a request in flight finishes, new connections are refused, exit 0', async () => {
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '2' } });
  const body = JSON.stringify({ username: 'late', password: 'late-password' });
  const socket = connect(shim.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  const waiters = [];
  socket.on('data', (d) => { text += d; waiters.forEach((w) => w()); });
  const answer = new Promise((resolve) => socket.on('close', () => resolve(text)));
  const received = (re) => new Promise((resolve) => {
    const check = () => { if (re.test(text)) resolve(); };
    waiters.push(check);
    check();
  });
  // "100 Continue" comes once the shim has begun the request (it counts it as in flight)
  // and waits for its body: from then on it is a request in flight, however slow the machine.
  socket.write('POST /account HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Expect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
  await received(/^HTTP\/1\.1 100 /);
  const stopped = stopCleanly(shim);
  // The listening socket closes right after this line; then connecting must fail.
  await shim.waitForOutput(/SIGTERM received/);
  const connects = () => new Promise((resolve) => {
    const probe = connect(shim.port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  while (await connects()) { /* closing: the next attempt is refused */ }
  // Written, not ended: libmicrohttpd's poll loop (shim/main.c) takes a client's half-close
  // as the client leaving, and drops its request if it still waits for the database.
  socket.write(body);
  assert.match(await answer, /^HTTP\/1\.1 100 [^]*\r\n\r\nHTTP\/1\.1 201 /);
  await stopped;
});

test('SIGINT stops it too', async () => {
  const shim = await startShim(database);
  const { code } = await shim.stop('SIGINT');
  assert.equal(code, 0, shim.output());
});
