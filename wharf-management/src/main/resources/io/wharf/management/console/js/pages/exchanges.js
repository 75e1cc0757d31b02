// Every exchange, and a form to declare one.

import { get, put, path } from '../api.js';
import { h, field, checkbox, declareForm } from '../dom.js';
import { createTable } from '../table.js';
import { exchangeLink, argumentsText } from './bindings.js';
import * as f from '../format.js';

const TYPES = ['direct', 'fanout', 'topic', 'headers', 'x-consistent-hash', 'x-random'];

export function mount(main) {
  const table = createTable([
    { key: 'name', label: 'Name', value: (e) => e.name, render: (e) => exchangeLink(e.vhost, e.name) },
    { key: 'vhost', label: 'Vhost', value: (e) => e.vhost },
    { key: 'type', label: 'Type', value: (e) => e.type },
    { key: 'durable', label: 'Durable', value: (e) => f.yesNo(e.durable) },
    { key: 'auto_delete', label: 'Auto-delete', value: (e) => f.yesNo(e.auto_delete) },
    { key: 'internal', label: 'Internal', value: (e) => f.yesNo(e.internal) },
    { key: 'arguments', label: 'Arguments', value: (e) => argumentsText(e.arguments) },
  ], {
    id: 'exchanges-table',
    rowKey: (e) => `${e.vhost}|${e.name}`,
    rowData: (e) => ({ name: e.name, vhost: e.vhost }),
    filter: (e) => e.name,
    empty: 'No exchanges.',
  });

  main.append(h('h1', { id: 'page-title' }, 'Exchanges'), table.element, declareExchangeForm(() => refresh()));

  async function refresh() {
    table.update(await get('api/exchanges'));
  }
  return { refresh };
}

function declareExchangeForm(onDeclared) {
  const vhost = h('input', { id: 'declare-exchange-vhost', value: '/', required: true });
  const name = h('input', { id: 'declare-exchange-name', required: true });
  const type = h('select', { id: 'declare-exchange-type' }, TYPES.map((t) => h('option', { value: t }, t)));
  const durable = checkbox('declare-exchange-durable', 'Durable', true);
  return declareForm({
    id: 'declare-exchange',
    title: 'Declare an exchange',
    controls: [field('Vhost', vhost), field('Name', name), field('Type', type), durable.element],
    submit: async () => {
      await put(path`exchanges/${vhost.value}/${name.value}`, {
        type: type.value, durable: durable.input.checked, auto_delete: false, internal: false, arguments: {},
      });
      const declared = name.value;
      name.value = '';
      return `Exchange "${declared}" declared.`;
    },
    done: onDeclared,
  });
}
