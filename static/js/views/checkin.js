// The door: staff type, paste or scan (a scanner types like a keyboard) a ticket's code and
// get one large, unmistakable answer. The server decides; exactly one scan of a ticket is
// ever "valid".

import { h, field, mount } from '../dom.js';
import * as api from '../api.js';
import { clock, date } from '../format.js';
import { pageTitle } from '../ui.js';

function verdict(kind, title, detail) {
  return h('div', { class: ['verdict', `verdict-${kind}`], role: 'status', 'data-testid': 'verdict', 'data-verdict': kind },
    h('p', { class: 'verdict-title' }, title), detail ? h('p', { class: 'verdict-detail' }, detail) : null);
}

async function answer(code, eventId) {
  try {
    const res = await api.checkIn(code, eventId);
    return verdict('valid', 'Valid: let in',
      `${res.order.username} · ${res.order.event_name} · ${date(res.order.event_date)}`);
  } catch (err) {
    switch (err.code) {
      case 'already_checked_in':
        return verdict('used', `Already used at ${clock(err.body?.checked_in_at)}`, 'This ticket was checked in before.');
      case 'ticket_not_valid':
        return verdict('invalid', 'Not valid', 'Its order was cancelled or refunded.');
      case 'wrong_event':
        return verdict('wrong', 'Wrong event', err.message);
      case 'not_found':
        return verdict('invalid', 'Not valid', 'No ticket has this code.');
      default:
        return verdict('error', 'Could not check', err.message);
    }
  }
}

export async function checkinView() {
  const events = await api.events('all');
  const code = h('input', { name: 'code', required: true, autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', maxlength: 64, 'data-testid': 'checkin-code' });
  const eventSelect = h('select', { name: 'event_id', 'data-testid': 'checkin-event' },
    h('option', { value: '' }, 'Any event'),
    events.map((e) => h('option', { value: e.id }, `${e.name} · ${date(e.date)}`)));
  const result = h('div', { class: 'verdict-box', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'btn big' }, 'Check in');
  const form = h('form', { class: 'card form checkin', 'aria-label': 'Check a ticket in' },
    field('This door is for', eventSelect),
    field('Ticket code', code, 'Type it, paste it, or scan the QR code into this field.'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = code.value.trim();
    if (!value) return;
    submit.disabled = true;
    mount(result, await answer(value, eventSelect.value));
    submit.disabled = false;
    code.value = '';
    code.focus(); // ready for the next person in the queue
  });
  return [pageTitle('Check-in'), form, result];
}
