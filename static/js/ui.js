// Shared presentation: messages in the aria-live region, the confirm dialog, page headings.

import { h, mount } from './dom.js';

const notices = () => document.getElementById('notices');

// Show a message as a toast just below the sticky header, wherever the page is scrolled, over
// the page rather than in its flow (nothing moves). Errors stay until dismissed, the next
// screen or the next form sent (main.js); successes fade.
export function notify(message, kind = 'success') {
  const box = notices();
  const close = h('button', { class: 'notice-close', type: 'button', 'aria-label': 'Dismiss message' }, '×');
  const item = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null },
    h('span', {}, message), close);
  close.addEventListener('click', () => item.remove());
  mount(box, item); // one message at a time reads best in a live region
  if (kind !== 'error') setTimeout(() => item.remove(), 6000);
}

export const notifyError = (err) => notify(err?.message || String(err), 'error');
export const clearNotices = () => mount(notices());

// A modal confirmation; resolves true when the user confirms. Uses the page's <dialog>.
export function confirmAction(text, { title = 'Are you sure?', ok = 'Delete', cancel = 'Cancel' } = {}) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = ok;
  dialog.querySelector('button[value="cancel"]').textContent = cancel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

// The heading every view starts with; the router moves focus to it after navigation.
export const pageTitle = (text, ...extra) =>
  h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, text), ...extra);

export const loading = () => h('p', { class: 'muted loading', 'aria-busy': 'true' }, 'Loading…');

export const empty = (text, ...extra) => h('div', { class: 'empty' }, h('p', {}, text), ...extra);

// Disable a button while `work` runs so double clicks do not send twice.
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.removeAttribute('aria-busy');
    if (button.isConnected) button.disabled = false;
  }
}

// A region that redraws itself whenever the session, account or cart changes (for the
// lifetime of the current page), keeping keyboard focus on the control that had it.
export function live(ctx, draw) {
  const box = h('div', { class: 'live' });
  const redraw = () => {
    const key = box.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    mount(box, draw());
    if (key) box.querySelector(`[data-key="${key}"]`)?.focus();
  };
  redraw();
  ctx.listen(redraw);
  box.redraw = redraw;
  return box;
}
