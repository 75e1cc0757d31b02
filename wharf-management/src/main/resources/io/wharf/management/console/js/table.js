// A data table that sorts on a click of a column header, filters on a text box, and updates in
// place: rows are matched by key, so a refresh keeps focus, selection and the nodes tests hold.

import { h } from './dom.js';

/**
 * columns: [{key, label, value: row => sortable value, render?: row => Node|string,
 *            numeric?: boolean, sortable?: boolean (default true)}]
 * options: {id, caption, rowKey: row => string, rowData?: row => dataset object,
 *           filter?: row => string to match, empty: text when there are no rows,
 *           sort?: {key, descending}}
 */
export function createTable(columns, options) {
  let rows = [];
  let sortKey = options.sort?.key ?? columns[0].key;
  let descending = options.sort?.descending ?? false;
  let query = '';
  const rowsByKey = new Map();

  const headers = columns.map((column) => {
    const th = h('th', { scope: 'col', class: column.numeric ? 'num' : null, dataset: { col: column.key } });
    if (column.sortable === false) {
      th.textContent = column.label;
    } else {
      th.append(h('button', {
        type: 'button',
        class: 'sort',
        onclick: () => {
          descending = sortKey === column.key ? !descending : !!column.numeric;
          sortKey = column.key;
          render();
        },
      }, column.label));
    }
    return th;
  });
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, options.empty || 'Nothing to show.');
  const table = h('table', { id: options.id, class: 'data' },
    options.caption ? h('caption', null, options.caption) : null,
    h('thead', null, h('tr', null, headers)),
    tbody);

  const parts = [];
  if (options.filter) {
    const input = h('input', {
      type: 'search',
      id: `${options.id}-filter`,
      placeholder: 'Filter by name',
      oninput: (e) => {
        query = e.target.value.trim().toLowerCase();
        render();
      },
    });
    parts.push(h('div', { class: 'filter' }, h('label', { for: input.id }, 'Filter'), input));
  }
  parts.push(h('div', { class: 'scroll' }, table), empty);
  const element = h('div', { class: 'table-block' }, parts);

  function compare(a, b) {
    const column = columns.find((c) => c.key === sortKey);
    const va = column.value(a);
    const vb = column.value(b);
    const order = typeof va === 'number' && typeof vb === 'number'
      ? va - vb
      : String(va ?? '').localeCompare(String(vb ?? ''), undefined, { numeric: true });
    return descending ? -order : order;
  }

  function cellContent(column, row) {
    const content = column.render ? column.render(row) : column.value(row);
    return content instanceof Node ? content : String(content ?? '');
  }

  function render() {
    headers.forEach((th, i) => {
      th.setAttribute('aria-sort', columns[i].key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
    });
    const shown = rows
      .filter((row) => !query || options.filter(row).toLowerCase().includes(query))
      .sort(compare);
    const keep = new Set();
    for (const row of shown) {
      const key = options.rowKey(row);
      keep.add(key);
      let tr = rowsByKey.get(key);
      if (!tr) {
        tr = h('tr', { dataset: { key, ...options.rowData?.(row) } },
          columns.map((c) => h(c.key === columns[0].key ? 'th' : 'td',
            { scope: c.key === columns[0].key ? 'row' : null, class: c.numeric ? 'num' : null, dataset: { col: c.key } })));
        rowsByKey.set(key, tr);
      }
      columns.forEach((column, i) => {
        const cell = tr.children[i];
        // A cell is redrawn only when its value changes, so buttons and links in it stay put.
        const signature = JSON.stringify(column.value(row) ?? null) + (column.signature ? column.signature(row) : '');
        if (cell.dataset.signature !== signature) {
          cell.dataset.signature = signature;
          cell.replaceChildren(cellContent(column, row));
        }
      });
      tbody.append(tr);
    }
    for (const [key, tr] of rowsByKey) {
      if (!keep.has(key)) {
        tr.remove();
        rowsByKey.delete(key);
      }
    }
    empty.hidden = shown.length > 0;
    if (rows.length > 0 && shown.length === 0) {
      empty.textContent = 'No rows match the filter.';
    } else {
      empty.textContent = options.empty || 'Nothing to show.';
    }
  }

  return {
    element,
    update(newRows) {
      rows = newRows || [];
      render();
    },
  };
}
