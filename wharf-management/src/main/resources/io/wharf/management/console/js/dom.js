// A small element builder, so pages build DOM nodes (never HTML strings: names come from clients).

/**
 * h('a', {href: '#/queues', class: 'x', dataset: {name: 'q'}, onclick: f}, 'text', child)
 * Attributes whose value is null, undefined or false are left out.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A definition list of label/value pairs; values may be nodes; empty values are left out. */
export function facts(pairs, attrs) {
  return h('dl', { class: 'facts', ...attrs },
    pairs.filter(([, value]) => value !== '' && value !== null && value !== undefined).map(([label, value, key]) => [h('dt', null, label), h('dd', { dataset: key ? { fact: key } : undefined }, value)]));
}

/** A status line for a form: role=status for successes, role=alert for failures. */
export function statusLine(id) {
  const el = h('p', { class: 'status', id, role: 'status', 'aria-live': 'polite' });
  return {
    element: el,
    ok(text) {
      el.className = 'status ok';
      el.setAttribute('role', 'status');
      el.textContent = text;
    },
    fail(error) {
      el.className = 'status failed';
      el.setAttribute('role', 'alert');
      el.textContent = error.reason || error.message;
    },
    clear() {
      el.className = 'status';
      el.textContent = '';
    },
  };
}

/**
 * A form that declares something: its controls on one row, a Declare button and a status line.
 * {@code submit} does the work and returns the text to show; {@code done} runs after it succeeded.
 */
export function declareForm({ id, title, controls, submit, done }) {
  const status = statusLine(`${id}-status`);
  return h('form', {
    id: `${id}-form`,
    class: 'card',
    'aria-labelledby': `${id}-h`,
    onsubmit: async (event) => {
      event.preventDefault();
      status.clear();
      try {
        status.ok(await submit());
        await done();
      } catch (error) {
        status.fail(error);
      }
    },
  },
  h('h2', { id: `${id}-h` }, title),
  h('div', { class: 'inline' }, ...controls, h('button', { type: 'submit', id: `${id}-submit` }, 'Declare')),
  status.element);
}

/** A checkbox with its label after it, for a form's row: checkbox('declare-queue-durable', 'Durable', true). */
export function checkbox(id, label, checked) {
  const box = h('input', { id, type: 'checkbox', checked });
  return { input: box, element: h('div', { class: 'field check' }, box, h('label', { for: id }, label)) };
}

/** A labelled form control: field('Payload', h('textarea', {id: 'x'})). */
export function field(label, control, hint) {
  return h('div', { class: 'field' },
    h('label', { for: control.id }, label), control, hint ? h('small', null, hint) : null);
}

/** The link to a route; parts are encoded like API path segments. */
export function route(...parts) {
  return '#/' + parts.map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
}
