// The contrast of an element's text against what is visible behind it, from computed styles
// (WCAG 2 relative luminance). Backgrounds of the element and its ancestors are composited
// top-down over the canvas, and every ancestor with opacity < 1 blends its whole group with
// what lies behind it, as the browser paints it. Gradients and images are not considered.

// Runs in the page: returns { ratio, fg, bg } for the element.
function measure(el) {
  const parse = (s) => {
    let m = /^rgba?\(([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:[ ,/]+([\d.]+%?))?\)$/.exec(s);
    if (m) {
      const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : Number(m[4]);
      return [Number(m[1]), Number(m[2]), Number(m[3]), a];
    }
    m = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/.exec(s);
    if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : Number(m[4])];
    throw new Error(`cannot read the color ${s}`);
  };
  // `top` (with alpha) painted over the opaque `under`.
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const mix = (c, behind, alpha) => [0, 1, 2].map((i) => c[i] * alpha + behind[i] * (1 - alpha)).concat(1);

  const chain = [];
  for (let e = el; e; e = e.parentElement) chain.unshift(e);
  const rootStyle = getComputedStyle(document.documentElement);
  // The canvas: the root's background, or the body's (propagated), else the scheme's default.
  let cur = rootStyle.colorScheme.includes('dark') && matchMedia('(prefers-color-scheme: dark)').matches
    ? [18, 18, 18, 1] : [255, 255, 255, 1];
  const groups = [];
  for (const e of chain) {
    const s = getComputedStyle(e);
    const opacity = Number(s.opacity);
    if (opacity < 1) groups.push({ opacity, behind: cur });
    cur = over(parse(s.backgroundColor), cur);
  }
  let fg = over(parse(getComputedStyle(el).color), cur);
  let bg = cur;
  for (const g of groups.reverse()) {
    fg = mix(fg, g.behind, g.opacity);
    bg = mix(bg, g.behind, g.opacity);
  }
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const x = v / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const hex = (c) => `#${c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  return { ratio: (hi + 0.05) / (lo + 0.05), fg: hex(fg), bg: hex(bg) };
}

// The contrast of the element a Playwright locator points to.
export const contrast = (locator) => locator.evaluate(measure);

// Runs in the page, given `measure`: every visible piece of text that reads below WCAG's
// minimum, 4.5:1 (3:1 when large: 24 px, or 18.66 px bold), as `tag.class "text" ratio (fg on bg)`.
// Disabled controls are exempt, as WCAG has them (the page gives its own a readable colour all
// the same: buyer.test.mjs); SVG drawings are pictures; text over an image is not judged.
function scan(measureText) {
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    if (!text || el.closest('svg, :disabled, [aria-disabled="true"], .sr-only, option, script, style')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    let overImage = false;
    for (let e = el; e && !overImage; e = e.parentElement) overImage = getComputedStyle(e).backgroundImage !== 'none';
    if (overImage) continue;
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    let m;
    try {
      m = measureText(el);
    } catch (err) {
      bad.push(`${el.tagName.toLowerCase()} "${text.slice(0, 40)}": ${err.message}`);
      continue;
    }
    if (m.ratio < (large ? 3 : 4.5)) {
      const cls = el.className && typeof el.className === 'string' ? `.${el.className.trim().replace(/\s+/g, '.')}` : '';
      bad.push(`${el.tagName.toLowerCase()}${cls} "${text.slice(0, 40)}" ${m.ratio.toFixed(2)}:1 (${m.fg} on ${m.bg})`);
    }
  }
  return bad;
}

// Every text of the page with too little contrast (scan above); [] when all read well.
export const lowContrastTexts = (page) => page.evaluate(`(${scan})(${measure})`);
