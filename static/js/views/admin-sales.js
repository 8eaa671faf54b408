// Admin: the sales dashboard. Totals, tickets sold per day as an SVG bar chart (for every
// event or one), the per-event table, and the same table as a CSV download.

import { h, svg, mount } from '../dom.js';
import * as api from '../api.js';
import { money, date, plural } from '../format.js';
import { pageTitle, empty, notifyError, busy } from '../ui.js';

const COLUMNS = [
  ['Event', null], ['Date', null], ['Capacity', 'capacity'], ['Sold', 'sold'], ['Left', 'left'],
  ['Revenue', 'revenue', money], ['Refunded tickets', 'refunded_tickets'],
  ['Refunded', 'refunded_amount', money], ['Checked in', 'checked_in'],
];

export async function adminSalesView() {
  const { events, totals } = await api.sales();
  const chartBox = h('div', { class: 'chart-box', 'data-testid': 'sales-chart' });
  const picker = h('select', { id: 'sales-event', 'aria-label': 'Event shown in the chart' },
    h('option', { value: '' }, 'All events'),
    events.map((e) => h('option', { value: e.id }, `${e.name} (${date(e.date)})`)));

  async function drawChart() {
    const event = events.find((e) => String(e.id) === picker.value);
    try {
      mount(chartBox, dailyChart(await api.salesDaily(picker.value), event?.name ?? 'all events'));
    } catch (err) {
      notifyError(err);
    }
  }
  picker.addEventListener('change', drawChart);
  await drawChart();

  const download = h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'sales-csv' }, 'Download CSV');
  download.addEventListener('click', () => busy(download, async () => {
    saveFile(`ticketmonster-sales-${new Date().toISOString().slice(0, 10)}.csv`, await api.salesCsv(), 'text/csv');
  }).catch(notifyError));

  return [
    pageTitle('Sales', download),
    h('div', { class: 'stats', 'data-testid': 'sales-totals' },
      stat('Tickets sold', `${totals.sold} of ${totals.capacity}`, `${percent(totals.sold, totals.capacity)} of capacity`),
      stat('Revenue', money(totals.revenue), plural(totals.events, 'event')),
      stat('Refunded', money(totals.refunded_amount), plural(totals.refunded_tickets, 'ticket')),
      stat('Checked in', String(totals.checked_in), `${percent(totals.checked_in, totals.sold)} of tickets sold`)),
    h('section', { class: 'card chart-card', 'aria-labelledby': 'chart-title' },
      h('div', { class: 'chart-head' }, h('h2', { id: 'chart-title' }, 'Tickets sold per day'), picker),
      chartBox),
    events.length ? salesTable(events) : empty('No events yet.'),
  ];
}

const percent = (part, whole) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

function stat(label, value, note) {
  return h('div', { class: 'card stat' },
    h('span', { class: 'stat-label' }, label), h('strong', { class: 'stat-value' }, value),
    h('span', { class: 'muted stat-note' }, note));
}

function salesTable(events) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'sales-table' },
    h('caption', { class: 'sr-only' }, 'Sales per event'),
    h('thead', {}, h('tr', {}, COLUMNS.map(([t, key]) => h('th', { scope: 'col', class: key ? 'num' : null }, t)))),
    h('tbody', {}, events.map((e) => h('tr', { 'data-event-id': e.id },
      h('th', { scope: 'row', 'data-label': 'Event' }, h('span', {}, e.name,
        e.cancelled ? h('span', { class: 'tag' }, 'cancelled') : null,
        h('meter', { min: 0, max: e.capacity || 1, value: e.sold, class: 'sold-meter', title: `${percent(e.sold, e.capacity)} sold` }))),
      h('td', { 'data-label': 'Date' }, date(e.date)),
      COLUMNS.slice(2).map(([t, key, show]) => h('td', { 'data-label': t, class: 'num', 'data-key': key },
        show ? show(e[key]) : String(e[key]))))))));
}

// Bars of tickets per day, drawn in a fixed viewBox that scales with the page. Each bar has
// a <title> (tooltip and accessible name); the figures are also listed for screen readers.
function dailyChart(days, what) {
  if (!days.length) return empty(`No tickets sold yet for ${what}.`);
  const W = 720, H = 240, left = 40, bottom = 28, top = 12;
  const max = Math.max(1, ...days.map((d) => d.tickets));
  const step = (W - left) / days.length;
  const bar = Math.max(2, Math.min(36, step * 0.7));
  const y = (n) => top + (H - top - bottom) * (1 - n / max);
  const labelEvery = Math.ceil(days.length / 8);
  const grid = [0, Math.ceil(max / 2), max];
  return [
    svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-desc' },
      svg('desc', { id: 'chart-desc' }, `Tickets sold per day for ${what}, ${days[0].day} to ${days[days.length - 1].day}.`),
      grid.map((n) => svg('g', { class: 'chart-grid' },
        svg('line', { x1: left, x2: W, y1: y(n), y2: y(n) }),
        svg('text', { x: left - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)))),
      days.map((d, i) => {
        const x = left + i * step + (step - bar) / 2;
        return svg('g', { class: 'chart-bar', 'data-day': d.day, 'data-tickets': d.tickets },
          svg('title', {}, `${date(d.day)}: ${plural(d.tickets, 'ticket')}, ${money(d.revenue)}`),
          svg('rect', { x, y: y(d.tickets), width: bar, height: Math.max(0, H - bottom - y(d.tickets)), rx: 3 }),
          i % labelEvery === 0
            ? svg('text', { x: x + bar / 2, y: H - 8, 'text-anchor': 'middle', class: 'chart-label' }, d.day.slice(5))
            : null);
      })),
    h('ul', { class: 'sr-only' }, days.map((d) => h('li', {}, `${d.day}: ${plural(d.tickets, 'ticket')}, ${money(d.revenue)}`))),
  ];
}

function saveFile(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
