// One consumer group: its state, members with their assignments, and lag per partition.

import { get, path } from '../api.js';
import { h, fill, facts, route } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

function assignmentText(assignment) {
  return Object.entries(assignment ?? {}).map(([stream, parts]) => `${stream} [${parts.join(', ')}]`).join('; ');
}

export function mount(main, [vhost, name]) {
  const properties = h('div', { id: 'group-properties' });
  const members = createTable([
    { key: 'member_id', label: 'Member', value: (m) => m.member_id },
    { key: 'client_id', label: 'Client id', value: (m) => m.client_id },
    { key: 'client_host', label: 'Host', value: (m) => m.client_host },
    { key: 'assignment', label: 'Assigned partitions', value: (m) => assignmentText(m.assignment) },
  ], { id: 'group-members', rowKey: (m) => m.member_id, empty: 'No live members.' });
  const offsets = createTable([
    {
      key: 'stream',
      label: 'Stream',
      value: (o) => o.stream,
      render: (o) => h('a', { href: route('streams', vhost, o.stream) }, o.stream),
    },
    { key: 'partition', label: 'Partition', value: (o) => o.partition, numeric: true },
    { key: 'committed_offset', label: 'Committed offset', value: (o) => o.committed_offset, numeric: true },
    { key: 'high_watermark', label: 'High watermark', value: (o) => o.high_watermark, numeric: true },
    { key: 'lag', label: 'Lag', value: (o) => o.lag, numeric: true },
  ], {
    id: 'group-offsets',
    rowKey: (o) => `${o.stream}|${o.partition}`,
    rowData: (o) => ({ stream: o.stream, partition: o.partition }),
    empty: 'No committed offsets.',
  });

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/streams' }, 'Streams and groups'), ` › vhost ${vhost}`),
    h('h1', { id: 'page-title' }, 'Consumer group ', h('span', { class: 'name', id: 'group-name' }, name)),
    h('section', { 'aria-labelledby': 'props-h' }, h('h2', { id: 'props-h' }, 'Properties'), properties),
    h('section', { 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, 'Members'), members.element),
    h('section', { 'aria-labelledby': 'offsets-h' }, h('h2', { id: 'offsets-h' }, 'Lag per partition'), offsets.element));

  return {
    async refresh() {
      const group = await get(path`groups/${vhost}/${name}`);
      fill(properties, facts([
        ['State', group.state, 'state'],
        ['Protocol', [group.protocol_type, group.protocol].filter(Boolean).join(' / '), 'protocol'],
        ['Generation', group.generation ?? '', 'generation'],
        ['Members', f.count(group.members?.length ?? 0), 'members'],
        ['Total lag', f.count(group.lag ?? 0), 'lag'],
      ]));
      members.update(group.members ?? []);
      offsets.update(group.offsets ?? []);
    },
  };
}
