// One stream: its partitions' offsets and sizes, and its rates as a live chart.

import { get, path } from '../api.js';
import { h, fill, facts } from '../dom.js';
import { createChart } from '../chart.js';
import { createTable } from '../table.js';
import { damageSection } from './damage.js';
import * as f from '../format.js';

export function mount(main, [vhost, name]) {
  const properties = h('div', { id: 'stream-properties' });
  const rates = createChart('stream-rates', 'Records per second', [{ label: 'publish' }, { label: 'read' }], f.rate);
  const partitions = createTable([
    { key: 'partition', label: 'Partition', value: (p) => p.partition, numeric: true },
    { key: 'first_offset', label: 'First offset', value: (p) => p.first_offset, numeric: true },
    { key: 'last_offset', label: 'Last offset', value: (p) => p.last_offset, numeric: true },
    { key: 'high_watermark', label: 'High watermark', value: (p) => p.high_watermark, numeric: true },
    { key: 'last_stable_offset', label: 'Last stable offset', value: (p) => p.last_stable_offset, numeric: true },
    { key: 'messages', label: 'Messages', value: (p) => p.messages ?? 0, numeric: true, render: (p) => f.count(p.messages) },
    { key: 'disk_bytes', label: 'Size', value: (p) => p.disk_bytes ?? 0, numeric: true, render: (p) => f.bytes(p.disk_bytes) },
    { key: 'damaged', label: 'Skipped (damage)', value: (p) => p.damage?.messages_skipped ?? 0, numeric: true,
      render: (p) => f.count(p.damage?.messages_skipped ?? 0) },
  ], { id: 'stream-partitions', rowKey: (p) => String(p.partition), rowData: (p) => ({ partition: p.partition }) });

  const damage = damageSection('stream-damage', true);

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/streams' }, 'Streams and groups'), ` › vhost ${vhost}`),
    h('h1', { id: 'page-title' }, 'Stream ', h('span', { class: 'name', id: 'stream-name' }, name)),
    h('section', { class: 'charts', 'aria-label': 'Charts' }, rates.element),
    damage.element,
    h('section', { 'aria-labelledby': 'props-h' }, h('h2', { id: 'props-h' }, 'Properties'), properties),
    h('section', { 'aria-labelledby': 'partitions-h' }, h('h2', { id: 'partitions-h' }, 'Partitions'), partitions.element));

  return {
    async refresh() {
      const stream = await get(path`streams/${vhost}/${name}`);
      fill(properties, facts([
        ['Partitions', f.count(stream.partitions), 'partitions'],
        ['Messages', f.count(stream.messages), 'messages'],
        ['Size', f.bytes(stream.disk_bytes), 'disk_bytes'],
        ...Object.entries(stream.configs ?? {}).map(([k, v]) => [k, String(v), k]),
      ]));
      rates.add([f.statRate(stream.message_stats, 'publish'), f.statRate(stream.message_stats, 'deliver_get')]);
      partitions.update(stream.partition_details ?? []);
      damage.update((stream.partition_details ?? [])
        .flatMap((p) => (p.damage?.details ?? []).map((d) => ({ partition: p.partition, ...d }))));
    },
    destroy() {
      rates.destroy();
    },
  };
}
