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
    { key: 'protocol', label: 'Listener', value: (l) => l.protocol },
    { key: 'port', label: 'Port', value: (l) => l.port, numeric: true },
  ], { id: 'overview-listeners', rowKey: (l) => `${l.protocol} ${l.port}`, empty: 'No listeners reported.' });
  const alarm = h('p', { id: 'overview-alarm', class: 'banner inline-banner', role: 'alert', hidden: true });

  main.append(
    h('h1', { id: 'page-title' }, 'Overview'),
    alarm,
    about,
    h('section', { 'aria-labelledby': 'totals-h' }, h('h2', { id: 'totals-h' }, 'Totals'), totals),
    h('section', { class: 'charts', 'aria-label': 'Charts' }, rates.element, depth.element),
    h('div', { class: 'columns' },
      h('section', { 'aria-labelledby': 'protocols-h' }, h('h2', { id: 'protocols-h' }, 'Connections by protocol'), protocols.element),
      h('section', { 'aria-labelledby': 'listeners-h' }, h('h2', { id: 'listeners-h' }, 'Listeners'), listeners.element)));

  return {
    async refresh() {
      const overview = await get('api/overview');
      alarm.hidden = !overview.alarm;
      alarm.textContent = overview.alarm ? `Publishers are blocked: ${overview.alarm}` : '';
      fill(about, facts([
        ['Version', `${overview.product_name} ${overview.wharf_version}`, 'version'],
        ['State', overview.state, 'state'],
        ['Java', overview.java_version, 'java'],
        ['Uptime', f.duration(overview.uptime_ms), 'uptime'],
        ['Started', f.time(overview.started_at), 'started_at'],
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
        ['consumer_groups', 'Consumer groups', objects.consumer_groups],
        ['messages_ready', 'Ready', queued.messages_ready],
        ['messages_unacknowledged', 'Unacked', queued.messages_unacknowledged],
      ].filter(([, , value]) => value !== undefined).map(([key, label, value]) =>
        h('div', { class: 'tile', dataset: { total: key } }, h('span', { class: 'value' }, f.count(value)), h('span', { class: 'label' }, label))));

      const stats = overview.message_stats ?? {};
      rates.add([f.statRate(stats, 'publish'), f.statRate(stats, 'deliver_get'), f.statRate(stats, 'ack')]);
      depth.add([queued.messages_ready ?? 0, queued.messages_unacknowledged ?? 0]);

      // Every protocol gets a row, also those with no connection at the moment.
      const byProtocol = { ...Object.fromEntries(PROTOCOLS.map((p) => [p, 0])), ...overview.connections_by_protocol };
      protocols.update(Object.entries(byProtocol).map(([protocol, n]) => ({ protocol, connections: n })));
      listeners.update(overview.listeners ?? []);
    },
    destroy() {
      rates.destroy();
      depth.destroy();
    },
  };
}
