// Every queue with its depth and rates; sortable, filterable, each linking to its own page.

import { get, put, path } from '../api.js';
import { h, route, field, checkbox, declareForm } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

/** Short feature flags the way operators read them: D durable, AD auto-delete, X exclusive. */
export function features(q) {
  return [q.durable && 'D', q.auto_delete && 'AD', q.exclusive && 'X', Object.keys(q.arguments ?? {}).length > 0 && 'Args']
    .filter(Boolean).join(' ');
}

export function mount(main) {
  const table = createTable([
    { key: 'name', label: 'Name', value: (q) => q.name, render: (q) => h('a', { href: route('queues', q.vhost, q.name) }, q.name) },
    { key: 'vhost', label: 'Vhost', value: (q) => q.vhost },
    { key: 'type', label: 'Type', value: (q) => q.type },
    { key: 'features', label: 'Features', value: features },
    { key: 'consumers', label: 'Consumers', value: (q) => q.consumers ?? 0, numeric: true },
    { key: 'messages_ready', label: 'Ready', value: (q) => q.messages_ready ?? 0, numeric: true, render: (q) => f.count(q.messages_ready ?? 0) },
    { key: 'messages_unacknowledged', label: 'Unacked', value: (q) => q.messages_unacknowledged ?? 0, numeric: true, render: (q) => f.count(q.messages_unacknowledged ?? 0) },
    { key: 'messages', label: 'Total', value: (q) => q.messages ?? 0, numeric: true, render: (q) => f.count(q.messages ?? 0) },
    { key: 'publish', label: 'Incoming', value: (q) => f.statRate(q.message_stats, 'publish'), numeric: true, render: (q) => f.rate(f.statRate(q.message_stats, 'publish')) },
    { key: 'deliver', label: 'Deliver / get', value: (q) => f.statRate(q.message_stats, 'deliver_get'), numeric: true, render: (q) => f.rate(f.statRate(q.message_stats, 'deliver_get')) },
    { key: 'ack', label: 'Ack', value: (q) => f.statRate(q.message_stats, 'ack'), numeric: true, render: (q) => f.rate(f.statRate(q.message_stats, 'ack')) },
  ], {
    id: 'queues-table',
    rowKey: (q) => `${q.vhost}|${q.name}`,
    rowData: (q) => ({ name: q.name, vhost: q.vhost }),
    filter: (q) => q.name,
    empty: 'No queues yet.',
  });

  main.append(h('h1', { id: 'page-title' }, 'Queues'), table.element, declareQueueForm(() => refresh()));

  async function refresh() {
    table.update(await get('api/queues'));
  }
  return { refresh };
}

/** Arguments typed one per line as name=value; numbers stay numbers, as x-max-length needs. */
function parseArguments(text) {
  const args = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    const value = eq < 0 ? '' : line.slice(eq + 1).trim();
    args[key] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return args;
}

function declareQueueForm(onDeclared) {
  const vhost = h('input', { id: 'declare-queue-vhost', value: '/', required: true });
  const name = h('input', { id: 'declare-queue-name', required: true });
  const args = h('textarea', { id: 'declare-queue-arguments', rows: 1, placeholder: 'x-max-length=1000' });
  const durable = checkbox('declare-queue-durable', 'Durable', true);
  return declareForm({
    id: 'declare-queue',
    title: 'Declare a queue',
    controls: [field('Vhost', vhost), field('Name', name), field('Arguments', args, 'One name=value per line.'), durable.element],
    submit: async () => {
      await put(path`queues/${vhost.value}/${name.value}`, {
        durable: durable.input.checked, auto_delete: false, arguments: parseArguments(args.value),
      });
      const declared = name.value;
      name.value = '';
      return `Queue "${declared}" declared.`;
    },
    done: onDeclared,
  });
}
