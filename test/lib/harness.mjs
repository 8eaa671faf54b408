// What the HTTP and browser tests share: a fresh database with the extension, and a real
// shim process on loopback. test/run-all provides the cluster through PGHOST/PGPORT/PGUSER.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { checkResponse } from './openapi.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// TM_SHIM picks another build of the shim, e.g. shim/ticketmonster-web-asan (test/http/run-asan).
export const SHIM = process.env.TM_SHIM
  ? path.resolve(ROOT, process.env.TM_SHIM)
  : path.join(ROOT, 'shim/ticketmonster-web');
// The token signing key the tests set in each database, as the release step does.
export const SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789abcdef';
export const APP_ROLE = 'tm_app';
// The clusters trust nobody (tools/pg-cluster): the web role logs in with this password. It is
// a test role's, as SECRET_KEY above is a test key.
export const APP_PASSWORD = 'tm-app-test-password';

// Run SQL as the cluster's superuser; returns psql's unaligned output.
export function psql(database, sql) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql],
    { encoding: 'utf8' }).trim();
}

// A new database with the extension, its signing key, cheap password hashes, no limit on
// sign-ups per address (every test signs up from 127.0.0.1; pass signupsPerHour to test
// the limit), an admin, and the least-privileged login role the shim connects as.
export function freshDatabase(name, { admin = ['admin', 'admin-password'], signupsPerHour = 0 } = {}) {
  execFileSync('dropdb', ['--if-exists', '--force', name]);
  execFileSync('createdb', [name]);
  psql(name, `
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} LOGIN;
      END IF;
    END $$;
    ALTER ROLE ${APP_ROLE} PASSWORD '${APP_PASSWORD}';
    CREATE EXTENSION ticketmonster;
    GRANT ticketmonster_web TO ${APP_ROLE};
    ALTER DATABASE ${name} SET ticketmonster.password_cost = 1;
    ALTER DATABASE ${name} SET ticketmonster.signups_per_hour = ${Number(signupsPerHour)};
    SELECT tm_signing_key_set('${SECRET_KEY}');`);
  if (admin) psql(name, `SET ticketmonster.password_cost = 1; SELECT tm_create_admin('${admin[0]}', '${admin[1]}')`);
  return name;
}

// The cluster's superuser password, from its pgpass (PGPASSFILE, set by test/run-all).
export function superuserPassword() {
  const line = readFileSync(process.env.PGPASSFILE, 'utf8').split('\n').find((l) => l.split(':')[3] === 'postgres');
  return line.split(':').slice(4).join(':');
}

export function databaseUrl(database, role = APP_ROLE, password = APP_PASSWORD) {
  return `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${process.env.PGPORT}/${database}`;
}

// Ports. Servers the tests start never take a port the kernel may also hand out as the
// source port of a client socket (its ephemeral range, 32768-60999 here): under the load of
// the stress and chaos suites such a port can be taken whenever a server (re)starts, and the
// restart then fails. So: the shim binds PORT=0 and the kernel picks a port it will not hand
// out again while it is bound; a PostgreSQL cluster (which needs its port before it starts)
// gets freeLowPort().
export const LOW_PORTS = [24576, 32767];

// The first of `count` consecutive ports below the ephemeral range that nobody listens on
// right now. Random, so that test runs side by side rarely try the same; checked by binding.
// test/lib/free-port prints one for the shell scripts.
export async function freeLowPort(count = 1) {
  const [low, high] = LOW_PORTS;
  const bindable = (port) => new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  for (;;) {
    const first = low + Math.floor(Math.random() * (high - low + 2 - count));
    let ok = true;
    for (let port = first; ok && port < first + count; port++) ok = await bindable(port);
    if (ok) return first;
  }
}

// Start the shim against `database` on a port the kernel picks; resolves once it says it
// listens (it prints the port it bound), rejects if it exits first. No wall-clock limit on a
// healthy start: `hangMs` only ends a start that will never come (a slow machine is not one).
// `wrapper` (e.g. ['valgrind', '--leak-check=full']) runs the shim under a tool.
export async function startShim(database, { env = {}, wrapper = [], hangMs = 300000 } = {}) {
  const argv = [...wrapper, SHIM];
  const proc = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      // the sanitizers' settings reach a sanitized shim (TM_SHIM)
      ...Object.fromEntries(['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']
        .filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
      PORT: '0',
      DATABASE_URL: databaseUrl(database),
      STATIC_DIR: path.join(ROOT, 'static'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const waiters = new Set();
  const text = () => output.join('');
  const collect = (d) => {
    output.push(d.toString());
    for (const w of waiters) w();
  };
  // A missing or unrunnable binary: fail this test rather than the process.
  proc.once('error', (err) => collect(`cannot start ${argv[0]}: ${err.message}\n`));
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));

  // Resolves with the match once the output matches `re`; rejects if the shim exits first.
  function waitForOutput(re, { hang = hangMs } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const done = (fn, value) => { waiters.delete(check); clearTimeout(timer); fn(value); };
      const check = () => {
        const m = re.exec(text());
        if (m) done(resolve, m);
        else if (proc.exitCode !== null || proc.signalCode !== null) {
          done(reject, new Error(`shim exited before printing ${re}:\n${text()}`));
        }
      };
      waiters.add(check);
      exited.then(check);
      timer = setTimeout(() => done(reject, new Error(`shim never printed ${re} (hung?):\n${text()}`)), hang);
      check();
    });
  }

  let port;
  try {
    port = Number((await waitForOutput(/listening on port (\d+)/))[1]);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }

  return {
    base: `http://127.0.0.1:${port}`,
    port,
    proc,
    exited,
    output: text,
    waitForOutput,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

// fetch wrapper: JSON in, { status, headers, body } out (body parsed when it is JSON).
export async function api(base, method, urlPath, { token, body, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = raw;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(base + urlPath, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  checkResponse(method, urlPath, res.status, res.headers.get('content-type'), parsed);
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function login(base, username, password) {
  const res = await api(base, 'POST', '/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
