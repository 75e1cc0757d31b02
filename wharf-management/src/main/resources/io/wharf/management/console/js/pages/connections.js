// Client connections of every protocol, each with a button to close it.

import { get, del, path } from '../api.js';
import { h, statusLine } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

function client(c) {
  const props = c.client_properties ?? {};
  return c.client_id || props.connection_name || [props.product, props.version].filter(Boolean).join(' ');
}

export function mount(main) {
  const status = statusLine('connections-status');
  let refresh;

  async function close(c) {
    if (!confirm(`Close connection ${c.name}?`)) {
      return;
    }
    status.clear();
    try {
      await del(path`connections/${c.name}`, { 'X-Reason': 'Closed from the Wharf console' });
      status.ok(`Closed ${c.name}.`);
      await refresh();
    } catch (error) {
      status.fail(error);
    }
  }

  const table = createTable([
    { key: 'name', label: 'Name', value: (c) => c.name },
    { key: 'protocol', label: 'Protocol', value: (c) => [c.protocol, c.protocol_version].filter(Boolean).join(' ') },
    { key: 'user', label: 'User', value: (c) => c.user },
    { key: 'vhost', label: 'Vhost', value: (c) => c.vhost },
    { key: 'client', label: 'Client', value: client },
    { key: 'channels', label: 'Channels', value: (c) => c.channels ?? 0, numeric: true },
    { key: 'recv', label: 'Messages in', value: (c) => c.recv_cnt_details?.rate ?? 0, numeric: true, render: (c) => f.rate(c.recv_cnt_details?.rate ?? 0) },
    { key: 'send', label: 'Messages out', value: (c) => c.send_cnt_details?.rate ?? 0, numeric: true, render: (c) => f.rate(c.send_cnt_details?.rate ?? 0) },
    { key: 'recv_oct', label: 'Bytes in', value: (c) => c.recv_oct_details?.rate ?? 0, numeric: true, render: (c) => `${f.bytes(c.recv_oct_details?.rate ?? 0)}/s` },
    { key: 'send_oct', label: 'Bytes out', value: (c) => c.send_oct_details?.rate ?? 0, numeric: true, render: (c) => `${f.bytes(c.send_oct_details?.rate ?? 0)}/s` },
    { key: 'connected_at', label: 'Since', value: (c) => c.connected_at ?? 0, numeric: true, render: (c) => f.time(c.connected_at) },
    {
      key: 'close',
      label: 'Close',
      sortable: false,
      value: (c) => c.name,
      render: (c) => h('button', { type: 'button', class: 'danger small', 'aria-label': `Close ${c.name}`, onclick: () => close(c) }, 'Close'),
    },
  ], {
    id: 'connections-table',
    rowKey: (c) => c.name,
    rowData: (c) => ({ name: c.name, protocol: c.protocol }),
    filter: (c) => `${c.name} ${c.protocol} ${c.user} ${client(c)}`,
    empty: 'No client is connected.',
    sort: { key: 'protocol' },
  });

  main.append(h('h1', { id: 'page-title' }, 'Connections'), status.element, table.element);

  refresh = async () => {
    table.update(await get('api/connections'));
  };
  return { refresh };
}
