// A live line chart on uPlot (loaded by index.html as the global uPlot): each poll adds one
// point per series, and the chart keeps the last few minutes of them. The history lives in
// the page only, so a reload starts it again.

import { h } from './dom.js';

const MAX_POINTS = 120;
const COLOURS = ['#2b6cb0', '#2f855a', '#c05621', '#6b46c1', '#b83280'];
// Whole seconds on the time axis, whole numbers on a count axis: no ":00.500" or "2.5 messages".
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9];

/**
 * id: the chart's element id; title: its heading; series: [{label}]; format: value -> text;
 * integer: the values are counts, so the value axis steps by whole numbers.
 */
export function createChart(id, title, series, format, integer = false) {
  const times = [];
  const values = series.map(() => []);
  const plotArea = h('div', { class: 'plot' });
  const element = h('figure', { class: 'chart', id, dataset: { points: '0' } },
    h('figcaption', null, title), plotArea);
  let plot = null;
  let observer = null;

  function create() {
    if (plot || !element.isConnected) {
      return;
    }
    if (!window.uPlot) {
      plotArea.textContent = 'Charts are unavailable: uPlot did not load.';
      return;
    }
    plot = new window.uPlot({
      width: Math.max(plotArea.clientWidth, 240),
      height: 200,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.1] } },
      axes: [
        { space: 80, incrs: TIME_STEPS, values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString()) },
        { size: 64, incrs: integer ? COUNT_STEPS : undefined, values: (u, ticks) => ticks.map((v) => format(v)) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          value: (u, v) => (v === null || v === undefined ? '–' : format(v)),
        })),
      ],
    }, [times, ...values], plotArea);
    observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(plotArea.clientWidth, 240), height: 200 });
    });
    observer.observe(plotArea);
  }

  return {
    element,
    /** Adds one point per series, in the order the series were given. */
    add(points) {
      times.push(Date.now() / 1000);
      points.forEach((p, i) => values[i].push(p ?? 0));
      if (times.length > MAX_POINTS) {
        times.shift();
        values.forEach((v) => v.shift());
      }
      element.dataset.points = String(times.length);
      create();
      plot?.setData([times, ...values]);
      // Away from the cursor the legend shows the latest values, so they can be read as text.
      plot?.setLegend({ idx: times.length - 1 });
    },
    destroy() {
      observer?.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}
