// The overview: versions, uptime, object totals, connections by protocol, listeners, and the
// broker-wide message rates and queue depth as live charts.

import { get } from '../api.js';
import { h, fill, facts } from '../dom.js';
import { createChart } from '../chart.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

const PROTOCOLS = ['AMQP', 'Kafka', 'MQTT', 'STOMP'];

export function mount(main) {
  const about = h('div', { id: 'overview-about' });
  const totals = h('div', { id: 'overview-totals', class: 'tiles' });
  const rates = createChart('overview-rates', 'Messages per second',
    [{ label: 'publish' }, { label: 'deliver' }, { label: 'ack' }], f.rate);
  const depth = createChart('overview-depth', 'Messages in queues',
    [{ label: 'ready' }, { label: 'unacked' }], f.count, true);
  const protocols = createTable([
    { key: 'protocol', label: 'Protocol', value: (r) => r.protocol },
    { key: 'connections', label: 'Connections', value: (r) => r.connections, numeric: true },
  ], { id: 'overview-protocols', rowKey: (r) => r.protocol, sort: { key: 'protocol' } });
  const listeners = createTable([
    { key: 'protocol', label: 'Protocol', value: (l) => l.protocol },
    { key: 'ip_address', label: 'Address', value: (l) => l.ip_address ?? l.host ?? '' },
    { key: 'port', label: 'Port', value: (l) => l.port, numeric: true },
  ], { id: 'overview-listeners', rowKey: (l) => `${l.protocol} ${l.ip_address ?? l.host} ${l.port}`, empty: 'No listeners reported.' });

  main.append(
    h('h1', { id: 'page-title' }, 'Overview'),
    about,
    h('section', { 'aria-labelledby': 'totals-h' }, h('h2', { id: 'totals-h' }, 'Totals'), totals),
    h('section', { class: 'charts', 'aria-label': 'Charts' }, rates.element, depth.element),
    h('div', { class: 'columns' },
      h('section', { 'aria-labelledby': 'protocols-h' }, h('h2', { id: 'protocols-h' }, 'Connections by protocol'), protocols.element),
      h('section', { 'aria-labelledby': 'listeners-h' }, h('h2', { id: 'listeners-h' }, 'Listeners'), listeners.element)));

  return {
    async refresh() {
      const [overview, connections] = await Promise.all([get('api/overview'), get('api/connections')]);
      fill(about, facts([
        ['Product', `${overview.product_name ?? 'Wharf'} ${overview.product_version ?? overview.wharf_version ?? ''}`, 'version'],
        ['Java', overview.java_version ?? overview.runtime_version ?? '', 'java'],
        ['Node', overview.node ?? overview.cluster_name ?? '', 'node'],
        ['Uptime', f.duration(overview.uptime ?? (overview.started_at ? Date.now() - overview.started_at : undefined)), 'uptime'],
      ]));

      const objects = overview.object_totals ?? {};
      const queued = overview.queue_totals ?? {};
      fill(totals, [
        ['connections', 'Connections', objects.connections],
        ['channels', 'Channels', objects.channels],
        ['consumers', 'Consumers', objects.consumers],
        ['queues', 'Queues', objects.queues],
        ['exchanges', 'Exchanges', objects.exchanges],
        ['streams', 'Streams', objects.streams],
        ['messages_ready', 'Ready', queued.messages_ready],
        ['messages_unacknowledged', 'Unacked', queued.messages_unacknowledged],
      ].filter(([, , value]) => value !== undefined).map(([key, label, value]) =>
        h('div', { class: 'tile', dataset: { total: key } }, h('span', { class: 'value' }, f.count(value)), h('span', { class: 'label' }, label))));

      const stats = overview.message_stats ?? {};
      rates.add([f.statRate(stats, 'publish'), f.statRate(stats, 'deliver_get'), f.statRate(stats, 'ack')]);
      depth.add([queued.messages_ready ?? 0, queued.messages_unacknowledged ?? 0]);

      const byProtocol = new Map(PROTOCOLS.map((p) => [p, 0]));
      for (const c of connections) {
        byProtocol.set(c.protocol, (byProtocol.get(c.protocol) ?? 0) + 1);
      }
      protocols.update([...byProtocol].map(([protocol, n]) => ({ protocol, connections: n })));
      listeners.update(overview.listeners ?? []);
    },
    destroy() {
      rates.destroy();
      depth.destroy();
    },
  };
}
