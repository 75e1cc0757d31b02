// Streams (Kafka topics) with their partitions' offsets, and the consumer groups reading them
// with their lag.

import { get, path } from '../api.js';
import { h, route } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

/** "0…99" for one partition; a partition with no records shows "empty". */
export function offsetRange(p) {
  return p.last_offset < 0 || p.last_offset < p.first_offset ? `${f.count(p.first_offset)} (empty)` : `${f.count(p.first_offset)}…${f.count(p.last_offset)}`;
}

export function mount(main) {
  const streams = createTable([
    { key: 'name', label: 'Name', value: (s) => s.name, render: (s) => h('a', { href: route('streams', s.vhost, s.name) }, s.name) },
    { key: 'vhost', label: 'Vhost', value: (s) => s.vhost },
    { key: 'partitions', label: 'Partitions', value: (s) => s.partitions, numeric: true },
    {
      key: 'offsets',
      label: 'First…last offset per partition',
      sortable: false,
      value: (s) => (s.partition_details ?? []).map((p) => `${p.partition}:${p.first_offset}:${p.last_offset}`).join(' '),
      render: (s) => h('span', null, (s.partition_details ?? []).map((p, i) => [i > 0 ? ', ' : '', h('span', { class: 'partition', dataset: { partition: p.partition } }, `${p.partition}: ${offsetRange(p)}`)])),
    },
    { key: 'messages', label: 'Messages', value: (s) => s.messages ?? 0, numeric: true, render: (s) => f.count(s.messages) },
    { key: 'disk_bytes', label: 'Size', value: (s) => s.disk_bytes ?? 0, numeric: true, render: (s) => f.bytes(s.disk_bytes) },
    { key: 'publish', label: 'Incoming', value: (s) => f.statRate(s.message_stats, 'publish'), numeric: true, render: (s) => f.rate(f.statRate(s.message_stats, 'publish')) },
    { key: 'deliver', label: 'Read', value: (s) => f.statRate(s.message_stats, 'deliver_get'), numeric: true, render: (s) => f.rate(f.statRate(s.message_stats, 'deliver_get')) },
  ], {
    id: 'streams-table',
    rowKey: (s) => `${s.vhost}|${s.name}`,
    rowData: (s) => ({ name: s.name, vhost: s.vhost }),
    filter: (s) => s.name,
    empty: 'No streams yet.',
  });
  const groups = createTable([
    { key: 'name', label: 'Group', value: (g) => g.name, render: (g) => h('a', { href: route('groups', g.vhost, g.name) }, g.name) },
    { key: 'vhost', label: 'Vhost', value: (g) => g.vhost },
    { key: 'state', label: 'State', value: (g) => g.state },
    { key: 'members', label: 'Members', value: (g) => g.members?.length ?? 0, numeric: true },
    { key: 'protocol', label: 'Assignor', value: (g) => g.protocol ?? '' },
    { key: 'generation', label: 'Generation', value: (g) => g.generation ?? 0, numeric: true },
    { key: 'lag', label: 'Lag', value: (g) => g.lag ?? 0, numeric: true, render: (g) => f.count(g.lag ?? 0) },
  ], {
    id: 'groups-table',
    rowKey: (g) => `${g.vhost}|${g.name}`,
    rowData: (g) => ({ name: g.name, vhost: g.vhost }),
    filter: (g) => g.name,
    empty: 'No consumer groups yet.',
  });

  main.append(
    h('h1', { id: 'page-title' }, 'Streams and consumer groups'),
    h('section', { 'aria-labelledby': 'streams-h' }, h('h2', { id: 'streams-h' }, 'Streams'), streams.element),
    h('section', { 'aria-labelledby': 'groups-h' }, h('h2', { id: 'groups-h' }, 'Consumer groups'), groups.element));

  return {
    async refresh() {
      const [streamList, groupList] = await Promise.all([get('api/streams'), get('api/groups')]);
      // The list leaves the partitions out: each stream is read on its own for its offsets.
      const detailed = await Promise.all(streamList.map((s) => get(path`streams/${s.vhost}/${s.name}`)));
      streams.update(detailed);
      groups.update(groupList);
    },
  };
}
