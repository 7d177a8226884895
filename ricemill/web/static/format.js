/* Formatting for people in India: money in Indian grouping (₹1,23,481.60), kilograms with quintals,
   the mill's dates and times. Pure functions of their input and the mill's time zone. */
import { constants, ctx, label } from './meta.js';

const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const kgNumber = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 3 });
const quintals = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
// The server's rule for weights people read (common.words.kg): to the gram under exactBelowKg (a
// deduction, a sample), else to 100 g; quintals to 0.1 and only from one quintal up.
const kgRounded = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 1 });
const quintalsRounded = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 1 });
const KG_PER_QUINTAL = constants.kgPerQuintal;
const kgShown = (v) => `${(Math.abs(v) < constants.exactBelowKg ? kgNumber : kgRounded).format(v)}\u00a0kg`;
const quintalsShown = (v) => (Math.abs(v) < KG_PER_QUINTAL ? '' : `${quintalsRounded.format(v / KG_PER_QUINTAL)}\u00a0q`);
const blank = (n) => n === null || n === undefined || n === '';
const stockLabels = new Map(constants.stockTypes.map((o) => [o.value, o.label]));

export const fmt = {
  money: (n) => (blank(n) ? '–' : inr.format(Number(n))),
  // a number keeps its unit on its line (no-break space): "1,219.9 kg" / "(12.2 q)", never "(12.2" / "q)"
  kg: (n) => {
    if (blank(n)) return '–';
    const q = quintalsShown(Number(n));
    return q ? `${kgShown(Number(n))} (${q})` : kgShown(Number(n));
  },
  kgParts: (n) => [kgShown(Number(n)), quintalsShown(Number(n))],
  // the weighbridge arithmetic of a form's preview: to the gram, as the server stores it
  kgExact: (n) => (blank(n) ? '–'
    : `${kgNumber.format(Number(n))}\u00a0kg (${quintals.format(Number(n) / KG_PER_QUINTAL)}\u00a0q)`),
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
