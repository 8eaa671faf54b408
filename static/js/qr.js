// A ticket's code as a QR code that door scanners and phones read: an SVG built with DOM
// calls (no markup strings), one path of dark modules on white with the 4-module quiet zone
// the QR standard asks for. The encoder is uqr (npm, pinned in test/package.json), served
// from our own files: no request leaves the page's origin.

import { encode } from '/static/vendor/uqr.mjs';

const SVG = 'http://www.w3.org/2000/svg';
const QUIET = 4;

export function qrCode(text, { label = 'QR code', pixels = 8 } = {}) {
  // Medium error correction: a scuffed print or a cracked phone screen still scans.
  const { size, data } = encode(text, { ecc: 'M', border: QUIET });
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x} ${y}h1v1h-1z`; }));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('width', String(size * pixels));
  svg.setAttribute('height', String(size * pixels));
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('qr');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
