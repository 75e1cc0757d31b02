// The bindings table shared by the queue and exchange pages.

import { h, route } from '../dom.js';
import { createTable } from '../table.js';

export function exchangeLink(vhost, name) {
  return name === ''
    ? h('a', { href: route('exchanges', vhost, 'amq.default') }, '(default exchange)')
    : h('a', { href: route('exchanges', vhost, name) }, name);
}

function endpoint(b, name, type) {
  return type === 'exchange' ? exchangeLink(b.vhost, name) : h('a', { href: route('queues', b.vhost, name) }, name);
}

/** id: the table's id; columns shown: 'source', 'destination' or both. */
export function bindingsTable(id, show) {
  return createTable([
    ...(show.includes('source') ? [{ key: 'source', label: 'From exchange', value: (b) => b.source, render: (b) => endpoint(b, b.source, 'exchange') }] : []),
    ...(show.includes('destination') ? [
      { key: 'destination', label: 'To', value: (b) => b.destination, render: (b) => endpoint(b, b.destination, b.destination_type) },
      { key: 'destination_type', label: 'Type', value: (b) => b.destination_type },
    ] : []),
    { key: 'routing_key', label: 'Routing key', value: (b) => b.routing_key },
    { key: 'arguments', label: 'Arguments', value: (b) => JSON.stringify(b.arguments ?? {}), render: (b) => argumentsText(b.arguments) },
  ], {
    id,
    rowKey: (b) => `${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`,
    empty: 'No bindings.',
  });
}

export function argumentsText(args) {
  const entries = Object.entries(args ?? {});
  return entries.length === 0 ? '' : entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}
