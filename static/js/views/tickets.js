// The tickets of one order, each with its QR code and code in text, laid out to print: what
// the buyer shows at the door (on paper or on the phone).

import { h } from '../dom.js';
import * as api from '../api.js';
import { date, moment, price } from '../format.js';
import { getSession } from '../state.js';
import { qrCode } from '../qr.js';
import { pageTitle, empty } from '../ui.js';

function ticket(o, t, i) {
  return h('article', { class: 'ticket', 'data-testid': 'ticket', 'data-code': t.code },
    h('div', { class: 'ticket-qr' }, qrCode(t.code, { label: `QR code of ticket ${i + 1}` })),
    h('div', { class: 'ticket-info' },
      h('h2', {}, o.event_name),
      h('p', {}, `${date(o.event_date)} · ${o.event_city}`),
      h('p', { class: 'muted' }, `Ticket ${i + 1} of ${o.tickets_bought} · order #${o.id} · ${o.username} · ${price(o.price)}`),
      h('p', { class: 'code' }, h('span', { class: 'sr-only' }, 'Code: '), h('code', { 'data-testid': 'ticket-code' }, t.code)),
      t.checked_in_at ? h('p', { class: 'status status-used' }, `Checked in ${moment(t.checked_in_at)}`) : null));
}

export async function ticketsView(ctx) {
  const id = Number(ctx.params.id);
  const o = (await api.orders(getSession().username)).find((x) => x.id === id);
  if (!o) return [pageTitle('Order not found'), empty('You have no order with this number.', h('a', { href: '/my-orders' }, 'My orders'))];
  ctx.setTitle(`Tickets: ${o.event_name}`);
  if (o.status !== 'confirmed') {
    return [pageTitle(`Tickets: ${o.event_name}`),
      empty(`This order was ${o.status}: its tickets are no longer valid.`, h('a', { href: '/my-orders' }, 'My orders'))];
  }
  const print = h('button', { type: 'button', class: 'btn', onclick: () => window.print() }, 'Print tickets');
  return [
    h('p', { class: 'crumbs no-print' }, h('a', { href: '/my-orders' }, '← My orders')),
    pageTitle(`Tickets: ${o.event_name}`, print),
    h('p', { class: 'muted no-print' }, `Bought ${moment(o.created_at)}. Show one code per person at the door; each one lets in once.`),
    h('div', { class: 'tickets' }, o.tickets.map((t, i) => ticket(o, t, i))),
  ];
}
