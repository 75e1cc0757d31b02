// One queue: live depth and rates, properties, consumers, bindings, and the actions an operator
// takes on it (get, publish, purge, delete).

import { get, post, del, path } from '../api.js';
import { h, fill, facts, field, statusLine } from '../dom.js';
import { createChart } from '../chart.js';
import { createTable } from '../table.js';
import { bindingsTable, argumentsText } from './bindings.js';
import { damageSection } from './damage.js';
import * as f from '../format.js';

const ACK_MODES = [
  ['ack_requeue_true', 'Look and requeue (ack, requeue)'],
  ['reject_requeue_true', 'Reject and requeue'],
  ['ack_requeue_false', 'Take them away (ack)'],
  ['reject_requeue_false', 'Reject for good (dead-letter)'],
];

export function mount(main, [vhost, name], context) {
  const queuePath = path`queues/${vhost}/${name}`;
  const properties = h('div', { id: 'queue-properties' });
  const args = h('div', { id: 'queue-arguments' });
  const depth = createChart('queue-depth', 'Messages', [{ label: 'ready' }, { label: 'unacked' }], f.count, true);
  const rates = createChart('queue-rates', 'Messages per second',
    [{ label: 'publish' }, { label: 'deliver' }, { label: 'ack' }], f.rate);
  const consumers = createTable([
    { key: 'consumer_tag', label: 'Consumer tag', value: (c) => c.consumer_tag },
    { key: 'connection', label: 'Connection', value: (c) => c.channel_details?.connection_name ?? '' },
    { key: 'ack_required', label: 'Ack required', value: (c) => f.yesNo(c.ack_required) },
    { key: 'exclusive', label: 'Exclusive', value: (c) => f.yesNo(c.exclusive) },
    { key: 'priority', label: 'Priority', value: (c) => c.priority ?? 0, numeric: true },
  ], { id: 'queue-consumers', rowKey: (c) => c.consumer_tag, empty: 'No consumers.' });
  const bindings = bindingsTable('queue-bindings', ['source']);
  const damage = damageSection('queue-damage', false);

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ` › vhost ${vhost}`),
    h('h1', { id: 'page-title' }, 'Queue ', h('span', { class: 'name', id: 'queue-name' }, name)),
    h('section', { class: 'charts', 'aria-label': 'Charts' }, depth.element, rates.element),
    damage.element,
    h('div', { class: 'columns' },
      h('section', { 'aria-labelledby': 'props-h' }, h('h2', { id: 'props-h' }, 'Properties'), properties),
      h('section', { 'aria-labelledby': 'args-h' }, h('h2', { id: 'args-h' }, 'Arguments'), args)),
    h('section', { 'aria-labelledby': 'consumers-h' }, h('h2', { id: 'consumers-h' }, 'Consumers'), consumers.element),
    h('section', { 'aria-labelledby': 'bindings-h' }, h('h2', { id: 'bindings-h' }, 'Bindings'), bindings.element),
    h('div', { class: 'columns' }, getForm(vhost, name), publishForm(vhost, name)),
    dangerZone(queuePath, name, context));

  return {
    async refresh() {
      const [queue, queueBindings] = await Promise.all([get(queuePath), get(`${queuePath}/bindings`)]);
      fill(properties, facts([
        ['Type', queue.type, 'type'],
        ['State', queue.state, 'state'],
        ['Durable', f.yesNo(queue.durable), 'durable'],
        ['Auto-delete', f.yesNo(queue.auto_delete), 'auto_delete'],
        ['Exclusive', f.yesNo(queue.exclusive), 'exclusive'],
        ['Consumers', f.count(queue.consumers), 'consumers'],
        ['Ready', f.count(queue.messages_ready), 'messages_ready'],
        ['Unacked', f.count(queue.messages_unacknowledged), 'messages_unacknowledged'],
        ['Total', f.count(queue.messages), 'messages'],
        ['Ready bytes', f.bytes(queue.message_bytes_ready), 'message_bytes_ready'],
        ['On disk', f.bytes(queue.disk_bytes), 'disk_bytes'],
      ]));
      const argEntries = Object.entries(queue.arguments ?? {});
      fill(args, argEntries.length === 0
        ? h('p', { class: 'empty' }, 'No arguments.')
        : facts(argEntries.map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v), k])));
      const stats = queue.message_stats ?? {};
      depth.add([queue.messages_ready ?? 0, queue.messages_unacknowledged ?? 0]);
      rates.add([f.statRate(stats, 'publish'), f.statRate(stats, 'deliver_get'), f.statRate(stats, 'ack')]);
      consumers.update(queue.consumer_details ?? []);
      damage.update(queue.damage?.details ?? []);
      bindings.update(queueBindings);
    },
    destroy() {
      depth.destroy();
      rates.destroy();
    },
  };
}

function getForm(vhost, name) {
  const count = h('input', { id: 'get-count', type: 'number', min: '1', max: '1000', value: '1', required: true });
  const ackmode = h('select', { id: 'get-ackmode' }, ACK_MODES.map(([value, label]) => h('option', { value }, label)));
  const status = statusLine('get-status');
  const results = h('ol', { id: 'get-results', class: 'messages' });
  return h('form', {
    id: 'get-form',
    class: 'card',
    'aria-labelledby': 'get-h',
    onsubmit: async (event) => {
      event.preventDefault();
      status.clear();
      try {
        const messages = await post(path`queues/${vhost}/${name}/get`, {
          count: Number(count.value), ackmode: ackmode.value, encoding: 'auto', truncate: 50000,
        });
        fill(results, messages.map(messageItem));
        status.ok(messages.length === 0 ? 'The queue is empty.' : `${messages.length} message(s).`);
      } catch (error) {
        status.fail(error);
      }
    },
  },
  h('h2', { id: 'get-h' }, 'Get messages'),
  field('Messages', count),
  field('Acknowledgement', ackmode),
  h('button', { type: 'submit', id: 'get-submit' }, 'Get messages'),
  status.element,
  results);
}

function messageItem(m) {
  const props = Object.entries(m.properties ?? {})
    .filter(([k]) => k !== 'headers')
    .map(([k, v]) => [k, String(v), k]);
  const headers = m.properties?.headers ?? {};
  return h('li', { class: 'message' },
    facts([
      ['Exchange', m.exchange === '' ? '(default)' : m.exchange, 'exchange'],
      ['Routing key', m.routing_key, 'routing_key'],
      ['Redelivered', f.yesNo(m.redelivered), 'redelivered'],
      ['Left in queue', f.count(m.message_count), 'message_count'],
      ...props,
      ...(Object.keys(headers).length > 0 ? [['Headers', argumentsText(headers), 'headers']] : []),
      ['Payload', `${f.count(m.payload_bytes)} bytes, ${m.payload_encoding}`, 'payload_info'],
    ]),
    h('pre', { class: 'payload' }, m.payload));
}

/** Reads "name=value" lines into a headers object; blank lines are ignored. */
function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at <= 0) {
      throw new Error(`A header line needs name=value: "${line}"`);
    }
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}

function publishForm(vhost, name) {
  const payload = h('textarea', { id: 'publish-payload', rows: '4' });
  const headers = h('textarea', { id: 'publish-headers', rows: '2', placeholder: 'source=console' });
  const persistent = h('input', { id: 'publish-persistent', type: 'checkbox', checked: true });
  const status = statusLine('publish-status');
  return h('form', {
    id: 'publish-form',
    class: 'card',
    'aria-labelledby': 'publish-h',
    onsubmit: async (event) => {
      event.preventDefault();
      status.clear();
      try {
        const answer = await post(path`exchanges/${vhost}/amq.default/publish`, {
          routing_key: name,
          payload: payload.value,
          payload_encoding: 'string',
          properties: { delivery_mode: persistent.checked ? 2 : 1, headers: parseHeaders(headers.value) },
        });
        if (answer.routed) {
          status.ok('Message published.');
        } else {
          status.fail({ reason: 'Message published but not routed to any queue.' });
        }
      } catch (error) {
        status.fail(error);
      }
    },
  },
  h('h2', { id: 'publish-h' }, 'Publish a message'),
  h('p', { class: 'hint' }, 'To the default exchange with the queue name as routing key.'),
  field('Payload', payload),
  field('Headers', headers, 'Optional, one name=value per line.'),
  h('div', { class: 'field check' }, persistent, h('label', { for: persistent.id }, 'Persistent (delivery mode 2)')),
  h('button', { type: 'submit', id: 'publish-submit' }, 'Publish'),
  status.element);
}

function dangerZone(queuePath, name, context) {
  const status = statusLine('queue-action-status');
  const purge = h('button', {
    type: 'button',
    id: 'queue-purge',
    class: 'danger',
    onclick: async () => {
      if (!confirm(`Purge every ready message of queue "${name}"?`)) {
        return;
      }
      status.clear();
      try {
        await del(`${queuePath}/contents`);
        status.ok('Queue purged.');
      } catch (error) {
        status.fail(error);
      }
    },
  }, 'Purge messages');
  const remove = h('button', {
    type: 'button',
    id: 'queue-delete',
    class: 'danger',
    onclick: async () => {
      if (!confirm(`Delete queue "${name}" and its messages?`)) {
        return;
      }
      status.clear();
      try {
        await del(queuePath);
        context.navigate('#/queues');
      } catch (error) {
        status.fail(error);
      }
    },
  }, 'Delete queue');
  return h('section', { class: 'card actions', 'aria-labelledby': 'actions-h' },
    h('h2', { id: 'actions-h' }, 'Purge or delete'), h('div', { class: 'buttons' }, purge, remove), status.element);
}
