// Connection exhaustion (issue 10, item 1). The audit's attack: about 1000 sockets from one
// host, idle or trickling a header line or a body byte now and then, took the server offline
// for everyone. Now one address holds at most MAX_CONNECTIONS_PER_ADDRESS connections, a
// request head and body must arrive within HEAD_TIMEOUT and BODY_TIMEOUT seconds however
// slowly they trickle, and other addresses are served meanwhile.
//
// The attacker is 127.0.0.2 and runs in a worker thread, so that its thousand sockets do not
// delay the probes' own event loop; the probe is 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { startShim } from '../lib/harness.mjs';
import { setup, stopCleanly } from './helpers.mjs';

const ATTACK_SOCKETS = 1000;
// A server that never cuts a trickle would keep these tests waiting for ever: end them then.
const HANG_BOUND = { timeout: 300000 };
const SANITIZED = /asan/.test(process.env.TM_SHIM ?? '');
const HEAD_DEADLINE_MS = 10000; // HEAD_TIMEOUT as deployed
const PROBES = 1000;

let ctx;
let quick;
let limited;
before(async () => {
  // As deployed: default limits and deadlines.
  ctx = await setup('http_connections');
  // Short deadlines, so that cutting a trickle takes a second, not minutes.
  quick = await startShim(ctx.database, { env: { HEAD_TIMEOUT: '1', BODY_TIMEOUT: '1' } });
  // A small per-address limit and deadlines long enough never to interfere.
  limited = await startShim(ctx.database, { env: { HEAD_TIMEOUT: '300', MAX_CONNECTIONS_PER_ADDRESS: '8' } });
});
after(async () => {
  await stopCleanly(limited);
  await stopCleanly(quick);
  await stopCleanly(ctx.shim);
});

// One GET /healthz on a new connection from `localAddress`: { status, ms }, status 0 if the
// server closed or refused the connection without answering.
function probe(port, localAddress = '127.0.0.1') {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let text = '';
    const done = (status) => {
      socket.destroy();
      resolve({ status, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    };
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('{"status":"ok"}')) done(Number(text.split(' ')[1]));
    });
    socket.on('error', () => done(0));
    socket.on('close', () => done(0));
  });
}

// Opens a connection from `localAddress` and calls `onOpen(socket)`; resolves with how it
// ended: { answered: what the server sent, ms: how long the server kept it }.
function hold(port, localAddress, onOpen) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let answered = '';
    let opened;
    socket.on('connect', () => { opened = Date.now(); onOpen(socket); });
    socket.on('data', (d) => { answered += d.toString('latin1'); });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answered, ms: opened ? Date.now() - opened : 0 }));
  });
}

// Sends `lines` one by one, one every `everyMs`, then keeps sending `filler` for ever, until
// the server closes the connection; resolves as hold() does, plus how much was sent.
function trickle(port, lines, everyMs, filler) {
  let sent = 0;
  let timer;
  const ended = hold(port, '127.0.0.1', (socket) => {
    timer = setInterval(() => {
      if (socket.destroyed) return;
      socket.write(sent < lines.length ? lines[sent] : filler);
      sent++;
    }, everyMs);
  });
  return ended.then((result) => { clearInterval(timer); return { ...result, sent }; });
}

// `count` probes one after the other, 20 ms apart, so that they spread over the attack's
// cycles (its sockets meet the 10 s head deadline and come back during the measurement).
// Every probe must be answered. Returns their times, sorted, and the most descriptors seen.
async function probes(shim, count, idle = 0) {
  const times = [];
  let mostDescriptors = idle;
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, 20));
    if (i % 10 === 0) mostDescriptors = Math.max(mostDescriptors, descriptors(shim));
    const { status, ms } = await probe(shim.port);
    assert.equal(status, 200, `probe ${i} was not answered`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { times, mostDescriptors };
}

// Nearest rank.
const percentile = (sorted, p) => sorted[Math.ceil(sorted.length * p) - 1];

// The shim's open descriptors: its connections, plus a fixed number of others.
const descriptors = (shim) => readdirSync(`/proc/${shim.proc.pid}/fd`).length;

const ATTACKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { connect } = require('node:net');
  const { port, sockets } = workerData;
  let stopping = false, open = 0, opened = 0, refused = 0;
  const timers = new Set();
  const later = (fn, ms) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };
  // Half stay idle, half trickle a request head (odd) or a body (even) one line or byte a second.
  function attack(i) {
    if (stopping) return;
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    let trickler, established = false, gotData = false;
    socket.on('connect', () => {
      established = true; open++; opened++;
      if (i % 2) return;
      socket.write(i % 4 ? 'GET /events HTTP/1.1\\r\\nHost: x\\r\\n'
        : 'POST /login HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n');
      trickler = setInterval(() => socket.write(i % 4 ? 'X-Slow: 1\\r\\n' : ' '), 1000);
    });
    socket.on('data', () => { gotData = true; });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(trickler);
      if (established) open--;
      if (!gotData) refused++;
      // Like a real attacker: come back for the lost socket, a second later.
      later(() => attack(i), 1000);
    });
  }
  for (let i = 0; i < sockets; i++) attack(i);
  const report = () => parentPort.postMessage({ open, opened, refused });
  const reporter = setInterval(report, 200);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    stopping = true;
    clearInterval(reporter);
    for (const t of timers) clearTimeout(t);
    process.exit(0);
  });
`;

test('1000 sockets from 127.0.0.2 do not keep 127.0.0.1 from being served quickly', HANG_BOUND, async () => {
  const idleDescriptors = descriptors(ctx.shim);
  // The same probes without the attack first: on a shared machine, the figure to compare with.
  const baseline = await probes(ctx.shim, 200);
  const attacker = new Worker(ATTACKER, { eval: true, workerData: { port: ctx.shim.port, sockets: ATTACK_SOCKETS } });
  let last = { open: 0, opened: 0, refused: 0 };
  attacker.on('message', (m) => { last = m; });
  try {
    // Wait until the attacker has tried all of its sockets once.
    while (last.opened < ATTACK_SOCKETS) await new Promise((r) => setTimeout(r, 100));

    const { times, mostDescriptors } = await probes(ctx.shim, PROBES, idleDescriptors);
    const p50 = percentile(times, 0.5);
    const p99 = percentile(times, 0.99);
    console.log(`connections${SANITIZED ? ' (ASan build)' : ''}: ${PROBES} probes of /healthz from 127.0.0.1 while 127.0.0.2 attacks with ` +
      `${ATTACK_SOCKETS} sockets: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ` +
      `${times[times.length - 1].toFixed(1)} ms (without the attack: p50 ${percentile(baseline.times, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(baseline.times, 0.99).toFixed(1)} ms); most descriptors ${mostDescriptors} (${idleDescriptors} idle)`);
    // Served during the attack, not after it: no probe waited for an attacker's socket to be
    // cut at its 10 s head deadline (the 1.0 shim's slowest probe waited 30 s, and its p99
    // was 2.7 s). Half that deadline is a bound only a server that queues 127.0.0.1 behind
    // 127.0.0.2 misses, whatever the machine's speed; the figures above are the measurement.
    const slowest = times[times.length - 1];
    assert.ok(slowest < HEAD_DEADLINE_MS / 2, `a probe waited ${slowest.toFixed(1)} ms under attack`);
    // The attacker never held more than its address's share (64): the rest were closed at once.
    // Each of the 4 workers may have one more, accepted and about to be closed; and the probe.
    assert.ok(mostDescriptors - idleDescriptors <= 64 + 4 + 1,
      `the shim had ${mostDescriptors - idleDescriptors} descriptors more than when idle`);
  } finally {
    const exited = new Promise((r) => attacker.once('exit', r));
    attacker.postMessage('stop');
    await exited;
  }
});

test('one address holds at most MAX_CONNECTIONS_PER_ADDRESS; other addresses still get in', HANG_BOUND, async () => {
  const sockets = [];
  const held = Array.from({ length: 12 }, () => hold(limited.port, '127.0.0.2', (s) => sockets.push(s)));
  // The 4 over the limit of 8 are closed at once, unanswered.
  const ended = [];
  held.forEach((p) => p.then((r) => ended.push(r)));
  while (ended.length < 4 || sockets.length < 12) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ended.length, 4);
  for (const r of ended) assert.equal(r.answered, '', 'a refused connection gets no answer');
  // 127.0.0.1 is served while 127.0.0.2 holds its 8, and a ninth of 127.0.0.2 is refused.
  assert.equal((await probe(limited.port, '127.0.0.1')).status, 200);
  assert.equal((await probe(limited.port, '127.0.0.2')).status, 0);
  // Once the address lets its connections go, it is served again.
  for (const s of sockets) s.destroy();
  await Promise.all(held);
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    status = (await probe(limited.port, '127.0.0.2')).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 200, 'the address is served again once its connections are gone');
});

test('a request head trickling in one line at a time is cut off at the head deadline', HANG_BOUND, async () => {
  const result = await trickle(quick.port,
    ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n'], 200, 'X-Slow: 1\r\n');
  assert.equal(result.answered, '', 'a trickled head gets no answer');
  // HEAD_TIMEOUT is 1 s: the server did not wait for the trickle to end (it never would).
  // (The client's clock starts before the server's accept; 950 leaves room for rounding.)
  assert.ok(result.ms >= 950, `cut after ${result.ms} ms, before the deadline`);
});

test('a body trickling in one byte at a time is cut off at the body deadline', HANG_BOUND, async () => {
  const body = '{"username": "someone", "password": "some-password"}';
  const result = await trickle(quick.port,
    [`POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      ...body.split('')], 200, '');
  assert.equal(result.answered, '', 'a trickled body gets no answer');
  assert.ok(result.sent < body.length + 1, 'the whole body went through');
  assert.ok(result.ms >= 950, `cut after ${result.ms} ms, before the deadline`);
});

test('an idle kept-alive connection is closed at the head deadline; a normal one is served', HANG_BOUND, async () => {
  const result = await hold(quick.port, '127.0.0.1', (socket) =>
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.match(result.answered, /^HTTP\/1\.1 200 /, 'the first request is served');
  assert.ok(result.ms >= 950, `closed after ${result.ms} ms`);
  // A head sent in one piece well within the deadline is served as always.
  assert.equal((await probe(quick.port)).status, 200);
});
