/* Formatting for people in India: money in Indian grouping (₹1,23,481.60), kilograms with quintals,
   the mill's dates and times. Pure functions of their input and the mill's time zone. */
import { constants, ctx, label } from './meta.js';

const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const kgNumber = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 3 });
const quintals = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const KG_PER_QUINTAL = constants.kgPerQuintal;
const blank = (n) => n === null || n === undefined || n === '';
const stockLabels = new Map(constants.stockTypes.map((o) => [o.value, o.label]));

export const fmt = {
  money: (n) => (blank(n) ? '–' : inr.format(Number(n))),
  // a number keeps its unit on its line (no-break space): "1,219.88 kg" / "(12.20 q)", never "(12.20" / "q)"
  kg: (n) => (blank(n) ? '–'
    : `${kgNumber.format(Number(n))}\u00a0kg (${quintals.format(Number(n) / KG_PER_QUINTAL)}\u00a0q)`),
  kgParts: (n) => [`${kgNumber.format(Number(n))}\u00a0kg`, `${quintals.format(Number(n) / KG_PER_QUINTAL)}\u00a0q`],
  percent: (n) => (n === null || n === undefined ? '–' : `${Number(n).toFixed(2)}%`),
  int: (n) => (n === null || n === undefined ? '–' : String(n)),
  // A calendar date ("2026-11-26") is the mill's own day: shown without any time-zone shift.
  date: (s) => {
    if (!s) return '–';
    const [y, m, d] = String(s).slice(0, 10).split('-').map(Number);
    return new Date(y, m - 1, d).toLocaleDateString('en-IN', { day: '2-digit', month: 'short', year: 'numeric' });
  },
  datetime: (s) => (s ? new Date(s).toLocaleString('en-IN', {
    timeZone: ctx.timezone, day: '2-digit', month: 'short', hour: 'numeric', minute: '2-digit',
  }) : '–'),
  time: (s) => (s ? new Date(s).toLocaleTimeString('en-IN', { timeZone: ctx.timezone, timeStyle: 'short' }) : ''),
  // a code as people read it, from the meta's labels ("UPI", "Bank transfer", "Half day", "Paid")
  label: (s) => (s ? label(s) : '–'),
  status: (s) => fmt.label(s),
  stockType: (s) => (s ? stockLabels.get(s) || label(s) : '–'),
  text: (s) => (s === null || s === undefined || s === '' ? '–' : String(s)),
};

/** Today's date where the mill is, as YYYY-MM-DD. */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timezone }).format(new Date());
}
