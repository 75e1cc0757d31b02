// The damaged stretches a queue's or stream's logs skip: shown only when there are any, so an
// operator sees what was lost (file, bytes, offsets) while every intact message stays readable.

import { h, fill } from '../dom.js';
import { createTable } from '../table.js';
import * as f from '../format.js';

/** A section for one object's damage; update() takes the API's damage object, details included. */
export function damageSection(id, withPartition) {
  const summary = h('p', { id: `${id}-summary`, class: 'banner inline-banner', role: 'alert' });
  const table = createTable([
    withPartition ? { key: 'partition', label: 'Partition', value: (d) => d.partition, numeric: true } : null,
    { key: 'file', label: 'File', value: (d) => d.file },
    { key: 'start_byte', label: 'Bytes', value: (d) => d.start_byte, numeric: true,
      render: (d) => `${d.start_byte}–${d.end_byte}` },
    { key: 'first_offset', label: 'Offsets', value: (d) => d.first_offset, numeric: true,
      render: (d) => (d.messages_skipped > 0 ? `${d.first_offset}–${d.next_offset - 1}` : '–') },
    { key: 'messages_skipped', label: 'Skipped', value: (d) => d.messages_skipped, numeric: true,
      render: (d) => f.count(d.messages_skipped) },
    { key: 'reason', label: 'Reason', value: (d) => d.reason },
  ].filter(Boolean), { id: `${id}-details`, rowKey: (d) => `${d.partition ?? ''}:${d.file}:${d.start_byte}`, empty: 'No damage.' });
  const element = h('section', { id, 'aria-labelledby': `${id}-h`, hidden: true },
    h('h2', { id: `${id}-h` }, 'Damage'), summary, table.element);
  return {
    element,
    update(details) {
      element.hidden = details.length === 0;
      const skipped = details.reduce((sum, d) => sum + d.messages_skipped, 0);
      fill(summary, `${f.count(details.length)} damaged stretch(es) on disk: ${f.count(skipped)} message(s) `
        + 'skipped. Every intact message before and after them stays readable.');
      table.update(details);
    },
  };
}
