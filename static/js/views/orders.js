// The signed-in user's purchases, newest first: when they were bought, their status (a
// cancelled or refunded order shows what came back), their tickets, and a cancel button.

import { h } from '../dom.js';
import * as api from '../api.js';
import { money, date, moment, plural } from '../format.js';
import { getSession } from '../state.js';
import { refreshAccount } from '../account.js';
import { reload } from '../router.js';
import { pageTitle, empty, confirmAction, notify, notifyError, busy } from '../ui.js';

const NUMERIC = new Set(['Tickets', 'Total']);
const STATUS = { confirmed: 'Confirmed', cancelled: 'Cancelled by you', refunded: 'Refunded' };

const total = (o) => o.price * o.tickets_bought;

function status(o) {
  return h('span', { class: ['status', `status-${o.status}`], 'data-testid': 'order-status' },
    STATUS[o.status] ?? o.status,
    o.status !== 'confirmed' ? h('span', { class: 'refund' }, ` · ${money(total(o))} back`) : null);
}

function actions(o) {
  if (o.status !== 'confirmed') return null;
  const cancel = h('button', { type: 'button', class: 'btn small danger', 'aria-label': `Cancel order ${o.id}` }, 'Cancel');
  cancel.addEventListener('click', async () => {
    const ok = await confirmAction(`Cancel your ${plural(o.tickets_bought, 'ticket')} for “${o.event_name}”? You get ${money(total(o))} back.`,
      { title: 'Cancel order?', ok: 'Cancel order' });
    if (!ok) return;
    busy(cancel, async () => {
      const res = await api.cancelOrder(getSession().username, o.id);
      await refreshAccount();
      await reload();
      notify(`Order #${o.id} cancelled: ${money(res.refund)} is back in your account.`);
    }).catch(notifyError);
  });
  return h('div', { class: 'row-actions' },
    h('a', { class: 'btn small secondary', href: `/my-orders/${o.id}/tickets` }, 'Tickets'), cancel);
}

export async function ordersView() {
  const orders = (await api.orders(getSession().username)).sort((a, b) => b.id - a.id);
  if (!orders.length) {
    return [pageTitle('My orders'), empty('You have not bought any tickets yet.', h('a', { href: '/', class: 'btn' }, 'Browse events'))];
  }
  const live = orders.filter((o) => o.status === 'confirmed');
  const spent = live.reduce((s, o) => s + total(o), 0);
  return [
    pageTitle('My orders'),
    h('p', { class: 'muted' }, `${plural(orders.length, 'order')} · ${money(spent)} spent on ${live.length} confirmed`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'orders' },
      h('caption', { class: 'sr-only' }, 'Your orders'),
      h('thead', {}, h('tr', {}, ['Order', 'Event', 'Date', 'City', 'Bought', 'Status', 'Tickets', 'Total', ''].map((t) => h('th', { scope: 'col', class: NUMERIC.has(t) ? 'num' : null }, t)))),
      h('tbody', {}, orders.map((o) => h('tr', { 'data-order-id': o.id, 'data-status': o.status },
        h('td', { 'data-label': 'Order' }, `#${o.id}`),
        h('th', { scope: 'row', 'data-label': 'Event' }, h('a', { href: `/show/${o.event_id ?? o.id_event}` }, o.event_name)),
        h('td', { 'data-label': 'Date' }, date(o.event_date)),
        h('td', { 'data-label': 'City' }, o.event_city),
        h('td', { 'data-label': 'Bought' }, o.created_at ? h('time', { datetime: o.created_at }, moment(o.created_at)) : '—'),
        h('td', { 'data-label': 'Status' }, status(o)),
        h('td', { 'data-label': 'Tickets', class: 'num' }, String(o.tickets_bought)),
        h('td', { 'data-label': 'Total', class: 'num' }, money(total(o))),
        h('td', { 'data-label': '' }, actions(o))))))),
  ];
}
