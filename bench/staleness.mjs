// Staleness after a committed purchase, across two web processes (issue 14): buy one ticket
// of the probe event through web process A, then poll web process B until its answer shows
// the new count; the time from A's acknowledgement (the 201's last byte) to the arrival of
// the first answer from B that shows it is one sample. GET /event/<id> and GET /events are
// polled side by side, each on its own keep-alive connection, each with requests sent only
// after the acknowledgement. A sample therefore includes one GET's own latency: the time a
// reader would really wait (the target's figure). The time from the acknowledgement to the
// sending of that GET is printed too (sent_*): the count became visible between the two, so
// when GETs are slow (no cache, loaded machine) the pair brackets the real staleness.
// Nobody else buys the probe event, so the count it expects is exact; other purchases
// (bench/steps/staleness.sh) run meanwhile.
//
//   node bench/staleness.mjs BUY_URL READ_URL EVENT_ID USERNAME TOKEN SAMPLES
//
// Prints one "sample path=... ms=... sent_ms=..." line per sample and path, then per path
// "STALENESS path=<event|events> n=... p50_ms=... p99_ms=... max_ms=... timeouts=...
// sent_p50_ms=... sent_p99_ms=...".
// A sample that takes over TIMEOUT_MS (5 s, five times the contract's 1 s bound) counts as a
// timeout and as TIMEOUT_MS in the percentiles: it never shrinks the figures.
import http from 'node:http';

const [buyUrl, readUrl, eventId, username, token, samplesArg] = process.argv.slice(2);
const samples = Number(samplesArg);
const TIMEOUT_MS = 5000;

const agents = { buy: new http.Agent({ keepAlive: true, maxSockets: 1 }),
  event: new http.Agent({ keepAlive: true, maxSockets: 1 }),
  events: new http.Agent({ keepAlive: true, maxSockets: 1 }) };

function request(base, agent, method, path, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const headers = body ? { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } : {};
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

// The probe event's tickets left in an answer of B, by path.
const countIn = {
  event: (text) => JSON.parse(text).event.total_available_tickets,
  events: (text) => JSON.parse(text).events.find((e) => e.id === Number(eventId)).total_available_tickets,
};
const pathOf = { event: `/event/${eventId}`, events: '/events' };

async function readCount(which) {
  const res = await request(readUrl, agents[which], 'GET', pathOf[which]);
  if (res.status !== 200) throw new Error(`GET ${pathOf[which]} on B: ${res.status} ${res.body.slice(0, 200)}`);
  return countIn[which](res.body);
}

// Polls B until it shows at most `expected` tickets left: ms from `since` to that answer and
// to the sending of its request, or null after TIMEOUT_MS.
async function visibleAfter(which, expected, since) {
  for (;;) {
    const sent = performance.now();
    const count = await readCount(which);
    const now = performance.now();
    if (count <= expected) return { ms: now - since, sentMs: sent - since };
    if (now - since > TIMEOUT_MS) return null;
  }
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const results = { event: [], events: [] };
const sentResults = { event: [], events: [] };
const timeouts = { event: 0, events: 0 };

// Start from a count that both paths of B already show.
let left = await readCount('event');
for (const which of ['event', 'events']) {
  if ((await visibleAfter(which, left, performance.now())) === null) throw new Error('B never agreed on the count');
}

for (let i = 0; i < samples; i++) {
  const res = await request(buyUrl, agents.buy, 'POST', `/orders/${username}`, { event_id: Number(eventId), tickets_bought: 1 });
  const acked = performance.now();
  if (res.status !== 201) throw new Error(`purchase on A: ${res.status} ${res.body.slice(0, 200)}`);
  left -= 1;
  const [ev, evs] = await Promise.all([visibleAfter('event', left, acked), visibleAfter('events', left, acked)]);
  for (const [which, seen] of [['event', ev], ['events', evs]]) {
    if (seen === null) timeouts[which] += 1;
    results[which].push(seen === null ? TIMEOUT_MS : seen.ms);
    sentResults[which].push(seen === null ? TIMEOUT_MS : seen.sentMs);
    console.log(seen === null ? `sample path=${which} ms=timeout`
      : `sample path=${which} ms=${seen.ms.toFixed(3)} sent_ms=${seen.sentMs.toFixed(3)}`);
  }
  // A few ms apart at random, so that the samples do not fall in step with anything periodic.
  await pause(Math.random() * 20);
}

// Nearest rank, as bench/steps/tools.sh does for pgbench.
const rank = (sorted, p) => sorted[Math.max(0, Math.ceil(sorted.length * p) - 1)];
for (const which of ['event', 'events']) {
  const s = results[which].slice().sort((a, b) => a - b);
  const sent = sentResults[which].slice().sort((a, b) => a - b);
  console.log(`STALENESS path=${which} n=${s.length} p50_ms=${rank(s, 0.5).toFixed(3)} ` +
    `p99_ms=${rank(s, 0.99).toFixed(3)} max_ms=${s[s.length - 1].toFixed(3)} timeouts=${timeouts[which]} ` +
    `sent_p50_ms=${rank(sent, 0.5).toFixed(3)} sent_p99_ms=${rank(sent, 0.99).toFixed(3)}`);
}
for (const a of Object.values(agents)) a.destroy();
