// Cold start: from spawning the shim to its first successful GET /events, in ms.
//   node bench/coldstart.mjs SHIM PORT STARTS
// The shim gets this process's environment (PORT, DATABASE_URL, SECRET_KEY, ...).
// Prints one line per start: "coldstart_ms=<ms>".
import { spawn } from 'node:child_process';
import http from 'node:http';

const [shim, port, starts] = process.argv.slice(2);

// One GET with a fresh connection; resolves to the status, or 0 when nothing answers yet.
function getEvents() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
  });
}

async function oneStart() {
  const t0 = performance.now();
  const proc = spawn(shim, [], { env: { ...process.env, PORT: port }, stdio: 'ignore' });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  let ms = null;
  while (proc.exitCode === null && performance.now() - t0 < 10000) {
    if ((await getEvents()) === 200) { ms = performance.now() - t0; break; }
    await new Promise((r) => setTimeout(r, 1));
  }
  proc.kill('SIGTERM');
  await exited;
  if (ms === null) throw new Error('the shim never answered GET /events with 200');
  return ms;
}

for (let i = 0; i < Number(starts); i++) {
  console.log(`coldstart_ms=${(await oneStart()).toFixed(1)}`);
}
