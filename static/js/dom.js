// Building DOM from data without innerHTML: every string becomes a text node, so names
// typed by users can never turn into markup.

// h('button', { class: 'btn', onclick: fn, disabled: true }, 'Buy')
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

// The same for SVG elements (charts), which live in their own namespace.
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

// Replace everything inside `el` with `children`.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A labelled form field: <div class="field"><label for>..</label><input id></div>.
let fieldSeq = 0;
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

// The values of a form's named controls, numbers converted for type=number inputs.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || ((el.type === 'radio' || el.type === 'checkbox') && !el.checked)) continue;
    out[el.name] = el.type === 'number' && el.value !== '' ? Number(el.value) : el.value.trim();
  }
  return out;
}
