// The cart: quantities, total, whether the balance covers it, and Buy, which sends the whole
// cart as one request with a fresh Idempotency-Key per click. On failure the cart stays, with
// fresh numbers: a line that can no longer be bought as it stands (sold out, fewer left, gone)
// says so by the event's name and offers its fixes; Buy says why it waits; and the totals count
// only what can be bought.

import { h } from '../dom.js';
import * as api from '../api.js';
import { money, price, date, plural } from '../format.js';
import { explain, errorEventId, ticketsLeftIn } from '../errors.js';
import { getSession, getAccount, getCart, setQty, removeFromCart, clearCart } from '../state.js';
import { refreshAccount } from '../account.js';
import { navigate } from '../router.js';
import { pageTitle, empty, live, notify, clearNotices } from '../ui.js';
import { ticketsLeft } from './event-card.js';

export async function cartView(ctx) {
  let eventsById = new Map((await api.events()).map((e) => [e.id, e]));
  let buying = false;

  // What stands in the way of buying a line as it is: null when nothing does.
  function problem(l) {
    const e = eventsById.get(l.event_id);
    if (!e) return { text: 'No longer available', why: 'an event in your cart is no longer available: remove it' };
    const left = ticketsLeft(e);
    if (left === 0) return { text: 'Sold out', why: `“${e.name}” is sold out: remove it` };
    if (l.qty > left) return { text: `Only ${left} left`, left, why: `“${e.name}” has only ${left} left: set it to ${left} or remove it` };
    return null;
  }
  const lineCost = (l) => (eventsById.get(l.event_id)?.price ?? 0) * l.qty;

  // Changing the cart answers the error about it: that message goes.
  const fix = (change) => () => {
    clearNotices();
    change();
  };

  // The fix offered for a line with fewer left: the button goes with the problem, so the
  // keyboard focus moves on to what comes next, Buy.
  function setTo(eventId, qty) {
    setQty(eventId, qty);
    region?.querySelector('[data-key="buy"]')?.focus();
  }

  async function buy() {
    clearNotices();
    const lines = getCart();
    const key = api.newKey(); // one per click; api.buy reuses it on retries
    buying = true;
    draw();
    try {
      const orders = await api.buy(getSession().username, lines, key);
      const tickets = orders.reduce((n, o) => n + Number(o.tickets_bought), 0);
      clearCart();
      await refreshAccount();
      navigate('/my-orders', { state: { flash: `Purchase complete: ${plural(tickets, 'ticket')}. Enjoy the show!` } });
    } catch (err) {
      // A 401 took the person to sign in (main.js), which says why.
      if (!ctx.isCurrent()) return;
      // Someone else may have bought the last tickets or the balance changed: show fresh numbers.
      const [events] = await Promise.all([api.events().catch(() => null), refreshAccount()]);
      if (events) eventsById = new Map(events.map((e) => [e.id, e]));
      // The failed purchase saw the stock itself; the list may be a moment older (public reads
      // can come from the web process's cache): the lower figure wins.
      const soldOut = eventsById.get(errorEventId(err.body));
      const left = ticketsLeftIn(err.body);
      if (soldOut && left !== null && left < ticketsLeft(soldOut)) {
        eventsById.set(soldOut.id, { ...soldOut, total_available_tickets: left });
      }
      notify(explain(err.status, err.body, { eventName: (id) => eventsById.get(id)?.name }), 'error');
      buying = false;
      draw();
    }
  }

  function line(l) {
    const e = eventsById.get(l.event_id);
    const trouble = problem(l);
    const remove = (name) => h('button', { type: 'button', class: 'btn small ghost', dataset: { key: `rm-${l.event_id}` }, disabled: buying,
      'aria-label': name ? `Remove ${name} from the cart` : null, onclick: fix(() => removeFromCart(l.event_id)) }, 'Remove');
    if (!e) {
      return h('li', { class: 'cart-line gone' },
        h('div', { class: 'line-info' }, h('strong', {}, 'This event is no longer available')), remove(null));
    }
    const left = ticketsLeft(e);
    return h('li', { class: ['cart-line', trouble && 'trouble'], 'data-event-id': e.id },
      h('div', { class: 'line-info' },
        h('a', { href: `/show/${e.id}`, class: 'line-name' }, e.name),
        h('span', { class: 'muted' }, `${date(e.date)} · ${e.city} · ${price(e.price)} each`),
        trouble ? h('span', { class: 'warn' }, trouble.text) : null,
        trouble?.left ? h('button', { type: 'button', class: 'btn small secondary set-to', dataset: { key: `set-${e.id}` }, disabled: buying,
          'aria-label': `Set ${e.name} to ${plural(trouble.left, 'ticket')}`, onclick: fix(() => setTo(e.id, trouble.left)) }, `Set to ${trouble.left}`) : null),
      h('div', { class: 'qty', role: 'group', 'aria-label': `Tickets for ${e.name}` },
        h('button', { type: 'button', class: 'btn icon secondary', 'aria-label': `One ticket fewer for ${e.name}`, dataset: { key: `dec-${e.id}` },
          disabled: buying || l.qty <= 1, onclick: fix(() => setQty(e.id, l.qty - 1)) }, '−'),
        h('output', { class: 'qty-n', 'aria-live': 'polite' }, String(l.qty)),
        h('button', { type: 'button', class: 'btn icon secondary', 'aria-label': `One more ticket for ${e.name}`, dataset: { key: `inc-${e.id}` },
          disabled: buying || l.qty >= left, onclick: fix(() => setQty(e.id, l.qty + 1)) }, '+')),
      trouble
        ? h('span', { class: 'line-total muted' }, 'Not in total')
        : h('span', { class: 'line-total' }, money(lineCost(l))),
      remove(e.name));
  }

  function summary() {
    const cart = getCart();
    const blocked = cart.map(problem).filter(Boolean);
    // Only what can be bought counts: a line that cannot be bought as it stands is fixed first.
    const total = cart.filter((l) => !problem(l)).reduce((sum, l) => sum + lineCost(l), 0);
    const acct = getAccount();
    const covered = !acct || acct.available_money >= total;
    let why = null;
    if (blocked.length) {
      const said = blocked.map((p) => p.why).join('; ');
      why = `Before buying: ${said}.`;
    }
    const disabled = buying || !covered || blocked.length > 0;
    const coverage = acct ? h('p', { class: covered ? 'ok' : 'warn', id: 'cart-coverage', 'data-testid': 'coverage' },
      covered ? `You will have ${money(acct.available_money - total)} left.` : `You need ${money(total - acct.available_money)} more.`) : null;
    const reason = why ? h('p', { class: 'warn', id: 'buy-why', 'data-testid': 'buy-why' }, why) : null;
    const describedBy = [!covered && coverage ? 'cart-coverage' : null, reason ? 'buy-why' : null].filter(Boolean).join(' ');
    return h('div', { class: 'card summary' },
      h('div', { class: 'sum-row' }, h('span', {}, 'Total'), h('strong', { 'data-testid': 'cart-total' }, money(total))),
      acct ? h('div', { class: 'sum-row' }, h('span', {}, 'Your balance'), h('span', {}, money(acct.available_money))) : null,
      coverage,
      reason,
      h('button', { type: 'button', class: 'btn wide', dataset: { key: 'buy' }, disabled, 'aria-busy': buying ? 'true' : null,
        'aria-describedby': disabled && describedBy ? describedBy : null,
        onclick: buy }, buying ? 'Buying…' : `Buy ${plural(cart.reduce((n, l) => n + l.qty, 0), 'ticket')}`));
  }

  let region = null;
  const draw = () => region?.redraw();
  function render() {
    const cart = getCart();
    if (!cart.length) return empty('Your cart is empty.', h('a', { href: '/', class: 'btn' }, 'Browse events'));
    return h('div', { class: 'cart-layout' }, h('ul', { class: 'cart-lines', 'data-testid': 'cart-lines' }, cart.map(line)), summary());
  }

  await refreshAccount();
  region = live(ctx, render);
  return [pageTitle('Your cart'), region];
}
