// The cluster's nodes: every member and whether it answers, and every Raft group with its leader,
// term and indexes; on a group's leader, how far behind each replica is. A single node says so.

import { get } from '../api.js';
import { h, fill } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

const STATES = {
  self: 'this node',
  up: 'up',
  down: 'down',
  unknown: 'unknown',
};

function clients(m) {
  if (!m.host) {
    return 'not registered yet';
  }
  return `${m.host}: ${Object.entries(m.listeners ?? {}).map(([name, port]) => `${name} ${port}`).join(', ')}`;
}

export function mount(main) {
  const summary = h('p', { id: 'nodes-summary' });
  const members = createTable([
    { key: 'id', label: 'Node', value: (m) => m.id },
    { key: 'address', label: 'Raft address', value: (m) => m.address },
    { key: 'state', label: 'State', value: (m) => m.state, render: (m) => h('span', { class: `state-${m.state}` }, STATES[m.state] ?? m.state) },
    { key: 'clients', label: 'Serves clients at', sortable: false, value: clients },
    { key: 'version', label: 'Version', value: (m) => m.version ?? '' },
  ], { id: 'nodes-members', rowKey: (m) => m.id, rowData: (m) => ({ name: m.id }), sort: { key: 'id' }, empty: 'This broker is a single node.' });
  const groups = createTable([
    { key: 'group', label: 'Group', value: (g) => g.group },
    { key: 'role', label: 'Role here', value: (g) => g.role },
    { key: 'leader', label: 'Leader', value: (g) => g.leader ?? '', render: (g) => g.leader ?? 'electing' },
    { key: 'term', label: 'Term', value: (g) => g.term, numeric: true },
    { key: 'commit_index', label: 'Committed', value: (g) => g.commit_index, numeric: true, render: (g) => f.count(g.commit_index) },
    { key: 'applied_index', label: 'Applied', value: (g) => g.applied_index, numeric: true, render: (g) => f.count(g.applied_index) },
  ], { id: 'nodes-groups', rowKey: (g) => g.group, rowData: (g) => ({ name: g.group }), sort: { key: 'group' }, empty: 'No Raft group.' });
  const replicas = createTable([
    { key: 'group', label: 'Group', value: (r) => r.group },
    { key: 'id', label: 'Replica', value: (r) => r.id },
    { key: 'lag', label: 'Lag (entries)', value: (r) => r.lag, numeric: true, render: (r) => f.count(r.lag) },
    { key: 'last_contact_ms', label: 'Last answered', value: (r) => r.last_contact_ms, numeric: true, render: (r) => `${f.duration(r.last_contact_ms)} ago` },
  ], { id: 'nodes-replicas', rowKey: (r) => `${r.group} ${r.id}`, rowData: (r) => ({ name: r.id }), sort: { key: 'group' }, empty: 'No leader has reported its replicas.' });

  main.append(
    h('h1', { id: 'page-title' }, 'Nodes'),
    summary,
    h('section', { 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, 'Members'), members.element),
    h('section', { 'aria-labelledby': 'groups-h' }, h('h2', { id: 'groups-h' }, 'Raft groups'), groups.element),
    h('section', { 'aria-labelledby': 'replicas-h' }, h('h2', { id: 'replicas-h' }, 'Replicas'), replicas.element));

  return {
    async refresh() {
      const cluster = await get('api/cluster');
      fill(summary, cluster.clustered
        ? `Node ${cluster.node}, one of ${cluster.members.length} members.`
        : 'This broker is a single node: start it with cluster.members to make it one of a cluster.');
      members.update(cluster.members);
      groups.update(cluster.groups);
      replicas.update(cluster.groups.flatMap((g) => g.replicas.map((r) => ({ group: g.group, ...r }))));
    },
  };
}
