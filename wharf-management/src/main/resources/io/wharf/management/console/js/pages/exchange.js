// One exchange: its properties and the bindings from and to it.

import { get, del, path } from '../api.js';
import { h, fill, facts, statusLine } from '../dom.js';
import { bindingsTable, argumentsText } from './bindings.js';
import * as f from '../format.js';

export function mount(main, [vhost, name], context) {
  const exchangePath = path`exchanges/${vhost}/${name}`;
  const properties = h('div', { id: 'exchange-properties' });
  const from = bindingsTable('exchange-bindings-source', ['destination']);
  const to = bindingsTable('exchange-bindings-destination', ['source']);
  const status = statusLine('exchange-action-status');
  const isDefault = name === 'amq.default' || name === '';
  const remove = h('button', {
    type: 'button',
    id: 'exchange-delete',
    class: 'danger',
    hidden: isDefault || name.startsWith('amq.'),
    onclick: async () => {
      if (!confirm(`Delete exchange "${name}"?`)) {
        return;
      }
      try {
        await del(exchangePath);
        context.navigate('#/exchanges');
      } catch (error) {
        status.fail(error);
      }
    },
  }, 'Delete exchange');

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/exchanges' }, 'Exchanges'), ` › vhost ${vhost}`),
    h('h1', { id: 'page-title' }, 'Exchange ', h('span', { class: 'name', id: 'exchange-name' }, isDefault ? '(default exchange)' : name)),
    h('section', { 'aria-labelledby': 'props-h' }, h('h2', { id: 'props-h' }, 'Properties'), properties),
    h('section', { 'aria-labelledby': 'from-h' }, h('h2', { id: 'from-h' }, 'Bindings from this exchange'), from.element),
    h('section', { 'aria-labelledby': 'to-h' }, h('h2', { id: 'to-h' }, 'Bindings to this exchange'), to.element),
    h('div', { class: 'buttons' }, remove), status.element);

  return {
    async refresh() {
      const [exchange, source, destination] = await Promise.all([
        get(exchangePath), get(`${exchangePath}/bindings/source`), get(`${exchangePath}/bindings/destination`),
      ]);
      fill(properties, facts([
        ['Type', exchange.type, 'type'],
        ['Durable', f.yesNo(exchange.durable), 'durable'],
        ['Auto-delete', f.yesNo(exchange.auto_delete), 'auto_delete'],
        ['Internal', f.yesNo(exchange.internal), 'internal'],
        ['Arguments', argumentsText(exchange.arguments) || 'none', 'arguments'],
      ]));
      from.update(source);
      to.update(destination);
    },
  };
}
