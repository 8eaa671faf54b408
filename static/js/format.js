// How money, dates and counts read on the page; one place so every screen agrees.

const moneyFmt = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
export const money = (n) => moneyFmt.format(Number(n) || 0);
// A ticket's price: a free event reads "Free", not "€0". Totals and balances stay money().
export const price = (n) => (Number(n) === 0 ? 'Free' : money(n));

const dateFmt = new Intl.DateTimeFormat('en', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
});
// API dates are calendar dates (YYYY-MM-DD); format them in UTC so no timezone shifts a day.
export function date(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : dateFmt.format(d);
}

// A moment of the API (ISO 8601, UTC) in the reader's own time zone.
const momentFmt = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
export function moment(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : momentFmt.format(d);
}
const clockFmt = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : clockFmt.format(d);
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const titleCase = (s) => String(s ?? '').toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());

export const GENRES = ['REGGAE', 'POP', 'TRAP', 'HIP HOP', 'ROCK', 'INDIE', 'HEAVY', 'ELECTRONIC', 'OTHER'];
