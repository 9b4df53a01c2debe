// Small live line charts on uPlot (a WebJar): a fixed window of samples, colours from the stylesheet
// so they follow light and dark mode.

import uPlot from '/console/vendor/uplot/uPlot.esm.js';

/** The drawing width: the panel's content box (uPlot sizes its canvas in pixels). */
const widthOf = container => Math.max(260, container.clientWidth - 34);

const css = name => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export class LiveChart {
  /** @param series labels of the lines; @param points how many samples the window keeps */
  constructor(container, {title, series, points = 150, unit = ''}) {
    this.points = points;
    this.series = series;
    this.data = [[], ...series.map(() => [])];
    const text = css('--text');
    const grid = css('--border');
    this.plot = new uPlot({
      title, width: widthOf(container), height: 170,
      series: [{}, ...series.map((label, i) => ({label, stroke: css(`--chart-${(i % 6) + 1}`), width: 2,
        value: (u, v) => (v == null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)}${unit}`)}))],
      axes: [{stroke: text, grid: {stroke: grid, width: 1}, ticks: {stroke: grid}},
        {stroke: text, grid: {stroke: grid, width: 1}, ticks: {stroke: grid}, size: 50}],
      scales: {y: {range: (u, min, max) => [0, Math.max(1, max * 1.15)]}},
      cursor: {show: true}, legend: {show: true},
    }, this.data, container);
    this.resize = () => this.plot.setSize({width: widthOf(container), height: 170});
    window.addEventListener('resize', this.resize);
  }

  /** Adds one sample: time in seconds, one value per series (null for a gap). */
  push(time, values) {
    this.data[0].push(time);
    values.forEach((v, i) => this.data[i + 1].push(v));
    if (this.data[0].length > this.points) this.data.forEach(column => column.shift());
    this.plot.setData(this.data);
  }

  destroy() {
    window.removeEventListener('resize', this.resize);
    this.plot.destroy();
  }
}
