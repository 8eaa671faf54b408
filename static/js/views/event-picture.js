// An event's picture: its image (image_url, a file of our own static folder, as the API
// enforces), or a placeholder drawn here from its name and genre, so that every card has
// something to look at and no request ever leaves our origin. The placeholder is SVG built
// with DOM calls and presentation attributes only (fill, stop-color): the CSP refuses style
// attributes, not these.

import { h, svg } from '../dom.js';
import { titleCase } from '../format.js';

// The path the API accepts (extension/events.c, body_image_url): checked here too so that
// the admin's preview never asks for anything else.
export const IMAGE_PATH = /^\/static\/[A-Za-z0-9_-][A-Za-z0-9._/-]{0,190}$/;
export const validImagePath = (p) => IMAGE_PATH.test(p) && !p.includes('..') && !p.includes('//');

// Each genre has a hue and a pattern; the name shifts the hue, so two rock nights differ.
const STYLES = {
  REGGAE: [130, 'stripes'], POP: [320, 'dots'], TRAP: [275, 'grid'], 'HIP HOP': [35, 'grid'],
  ROCK: [355, 'zigzag'], INDIE: [185, 'rings'], HEAVY: [230, 'zigzag'], ELECTRONIC: [205, 'waves'],
  OTHER: [260, 'dots'],
};

// A small stable hash (FNV-1a), so an event keeps its colours from one visit to the next.
function hash(text) {
  let x = 0x811c9dc5;
  for (const ch of String(text)) {
    x ^= ch.codePointAt(0);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

// The genre most of the line-up plays (the first listed on a tie); null without a line-up.
function lineupGenre(e) {
  const counts = new Map();
  for (const a of e.artists ?? []) counts.set(a.genre, (counts.get(a.genre) ?? 0) + 1);
  let best = null;
  for (const [g, n] of counts) if (best === null || n > counts.get(best)) best = g;
  return best;
}

// The genre to name on the picture: "Other" says nothing, so it is left out.
export function eventGenre(e) {
  const g = lineupGenre(e);
  return g === 'OTHER' ? null : g;
}

export function initials(name) {
  const words = String(name).split(/[\s\-_.·]+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  return words.slice(0, 2).map((w) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '').join('').toUpperCase() || '?';
}

let seq = 0;
const W = 320;
const H = 180;

function pattern(kind, n) {
  const mark = { fill: '#fff', 'fill-opacity': '0.13' };
  const line = { stroke: '#fff', 'stroke-opacity': '0.16', 'stroke-width': 6, fill: 'none' };
  const out = [];
  const shift = n % 40;
  if (kind === 'stripes') for (let x = -H; x < W; x += 36) out.push(svg('line', { ...line, x1: x + shift, y1: H, x2: x + shift + H, y2: 0 }));
  if (kind === 'dots') for (let y = 14; y < H; y += 32) for (let x = 14 + ((y / 32) % 2) * 16; x < W; x += 32) out.push(svg('circle', { ...mark, cx: x, cy: y, r: 5 }));
  if (kind === 'grid') for (let x = shift % 28; x < W; x += 28) for (let y = 10; y < H; y += 28) out.push(svg('rect', { ...mark, x, y, width: 12, height: 12, rx: 2 }));
  if (kind === 'zigzag') for (let y = 20; y < H; y += 34) {
    let d = `M0 ${y}`;
    for (let x = 0; x <= W; x += 20) d += ` L${x + 10} ${y + ((x / 20) % 2 ? -10 : 10)}`;
    out.push(svg('path', { ...line, 'stroke-width': 4, d }));
  }
  if (kind === 'rings') for (let r = 30; r < 260; r += 30) out.push(svg('circle', { ...line, 'stroke-width': 5, cx: 40 + shift * 6, cy: H, r }));
  if (kind === 'waves') for (let y = 18; y < H; y += 26) {
    out.push(svg('path', { ...line, 'stroke-width': 3, d: `M0 ${y} q40 -18 80 0 t80 0 t80 0 t80 0 t80 0` }));
  }
  return out;
}

// The placeholder: a gradient in the genre's colours, its pattern, the name's initials.
export function placeholder(e, label) {
  const genre = eventGenre(e);
  const [hue, kind] = STYLES[lineupGenre(e)] ?? STYLES.OTHER;
  const n = hash(e.name);
  const h1 = (hue + (n % 50) - 25 + 360) % 360;
  const h2 = (h1 + 35 + ((n >> 8) % 30)) % 360;
  const id = `pic-grad-${++seq}`;
  return svg('svg', { class: 'placeholder', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'xMidYMid slice',
    role: 'img', 'aria-label': label, 'data-testid': 'event-placeholder' },
  svg('defs', {}, svg('linearGradient', { id, x1: 0, y1: 0, x2: 1, y2: 1 },
    svg('stop', { offset: 0, 'stop-color': `hsl(${h1} 70% 46%)` }),
    svg('stop', { offset: 1, 'stop-color': `hsl(${h2} 75% 24%)` }))),
  svg('rect', { width: W, height: H, fill: `url(#${id})` }),
  pattern(kind, n),
  svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central', fill: '#fff',
    'font-size': 68, 'font-weight': 800, 'font-family': 'system-ui, sans-serif', 'letter-spacing': 2 }, initials(e.name)),
  genre ? svg('text', { x: 14, y: H - 14, fill: '#fff', 'fill-opacity': '0.9', 'font-size': 14, 'font-weight': 700,
    'font-family': 'system-ui, sans-serif', 'letter-spacing': 1.5 }, genre) : null);
}

// The picture of event `e`: <img> for its own image (falling back to the placeholder if the
// file is missing), else the placeholder. `alt` names the event, as the heading beside it does
// not describe the picture.
export function eventPicture(e, { hero = false } = {}) {
  const genre = eventGenre(e);
  const label = `Picture for ${e.name}${genre ? ` (${titleCase(genre)})` : ''}`;
  let pic;
  if (e.image_url && validImagePath(e.image_url)) {
    pic = h('img', { src: e.image_url, alt: `Poster of ${e.name}`, width: W, height: H, loading: hero ? null : 'lazy', decoding: 'async' });
    pic.addEventListener('error', () => pic.replaceWith(placeholder(e, label)), { once: true });
  } else {
    pic = placeholder(e, label);
  }
  return h('div', { class: ['event-pic', hero && 'hero'] }, pic);
}
