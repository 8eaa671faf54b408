// The database going away: killed backends are replaced without the client noticing, and
// a stopped database gives 503 + Retry-After until it is back, without restarting the shim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { api, psql, startShim, freshDatabase, freeLowPort, ROOT, APP_PASSWORD } from '../lib/harness.mjs';
import { stopCleanly } from './helpers.mjs';

// How long pg_terminate_backend may wait for a backend to exit: a bound for a hang only.
const BACKEND_EXIT_MS = 120000;

test('pg_terminate_backend of the shim\'s connections: the next requests still succeed', async () => {
  const database = freshDatabase('http_terminate');
  const shim = await startShim(database, { env: { WEB_CONCURRENCY: '4' } });
  try {
    // Open a connection in every worker thread.
    for (let round = 0; round < 3; round++) {
      const all = await Promise.all(Array.from({ length: 16 }, () => api(shim.base, 'GET', '/readyz')));
      for (const res of all) assert.equal(res.status, 200);
    }
    for (let round = 0; round < 2; round++) {
      // pg_terminate_backend(pid, timeout) returns once the backend is gone: no guessing
      const killed = psql(database, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, ${BACKEND_EXIT_MS}))
        FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'ticketmonster-web'`);
      assert.ok(Number(killed) >= 1, 'the shim\'s connections are named ticketmonster-web');
      const reads = await Promise.all(Array.from({ length: 16 }, () => api(shim.base, 'GET', '/readyz')));
      for (const res of reads) assert.equal(res.status, 200, JSON.stringify(res.body));
      psql(database, `SELECT pg_terminate_backend(pid, ${BACKEND_EXIT_MS}) FROM pg_stat_activity
        WHERE datname = '${database}' AND application_name = 'ticketmonster-web'`);
      const writes = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        api(shim.base, 'POST', '/account', { body: { username: `t${round}x${i}`, password: 'pw-pw-pw' } })));
      for (const res of writes) assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  } finally {
    await stopCleanly(shim);
  }
});

test('database stopped: 503 + Retry-After; started again: recovery without a restart', async () => {
  // A cluster of this test's own, so stopping it disturbs nobody.
  const dir = path.join(ROOT, `.tmp/http-outage-${process.pid}`);
  const port = await freeLowPort();
  const cluster = (...args) => execFileSync(path.join(ROOT, 'tools/pg-cluster'), args, { stdio: 'inherit' });
  const saved = { PGHOST: process.env.PGHOST, PGPORT: process.env.PGPORT, PGPASSFILE: process.env.PGPASSFILE };
  cluster('start', dir, String(port));
  let shim;
  try {
    Object.assign(process.env, { PGHOST: path.join(dir, 'socket'), PGPORT: String(port), PGPASSFILE: path.join(dir, 'pgpass') });
    const database = freshDatabase('http_outage');
    Object.assign(process.env, saved);
    shim = await startShim(database, { env: {
      DATABASE_URL: `postgresql://tm_app:${APP_PASSWORD}@127.0.0.1:${port}/${database}`, WEB_CONCURRENCY: '2' } });
    assert.equal((await api(shim.base, 'GET', '/readyz')).status, 200);

    cluster('stop', dir);
    for (const [method, p, body] of [['GET', '/readyz'], ['GET', '/events'],
      ['POST', '/login', { username: 'admin', password: 'admin-password' }], ['GET', '/readyz']]) {
      const res = await api(shim.base, method, p, { body });
      assert.equal(res.status, 503, `${method} ${p}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'unavailable');
      assert.match(res.headers.get('retry-after'), /^\d+$/);
    }
    assert.equal((await api(shim.base, 'GET', '/healthz')).status, 200, 'alive while the database is down');

    // pg_ctl start -w returns once the cluster accepts connections: from then on the shim
    // must answer without a restart. Each worker thread notices its dead connection on its
    // own next request, so the first ones may still see the outage: ask until one answers;
    // only a shim that never recovers (a hang, not slowness) runs into RECOVERY_HANG_MS.
    cluster('start', dir, String(port));
    const RECOVERY_HANG_MS = 120000;
    const started = Date.now();
    let res;
    for (;;) {
      res = await api(shim.base, 'POST', '/login', { body: { username: 'admin', password: 'admin-password' } });
      if (res.status === 200 || Date.now() - started > RECOVERY_HANG_MS) break;
      assert.equal(res.status, 503, JSON.stringify(res.body));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (let i = 0; i < 8; i++) assert.equal((await api(shim.base, 'GET', '/readyz')).status, 200);
  } finally {
    Object.assign(process.env, saved);
    if (shim) await stopCleanly(shim);
    cluster('destroy', dir);
  }
});
