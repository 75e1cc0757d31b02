// Numbers, sizes, rates and durations as the console shows them.

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function count(n) {
  return n === undefined || n === null ? '' : integer.format(n);
}

export function rate(r) {
  if (r === undefined || r === null) {
    return '';
  }
  return `${r >= 100 ? integer.format(r) : decimal.format(r)}/s`;
}

export function bytes(n) {
  if (n === undefined || n === null) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? integer.format(value) : decimal.format(value)} ${units[unit]}`;
}

export function duration(ms) {
  if (ms === undefined || ms === null) {
    return '';
  }
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) {
    return `${d}d ${h}h`;
  }
  if (h > 0) {
    return `${h}h ${m}m`;
  }
  return m > 0 ? `${m}m ${s}s` : `${s}s`;
}

export function time(epochMillis) {
  return epochMillis ? new Date(epochMillis).toLocaleString() : '';
}

export function yesNo(b) {
  return b ? 'yes' : 'no';
}

/** A counter's per-second rate from a message_stats object ("publish" -> publish_details.rate). */
export function statRate(stats, name) {
  return stats?.[`${name}_details`]?.rate ?? 0;
}
