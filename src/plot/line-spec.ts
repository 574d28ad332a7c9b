import type { TopLevelSpec } from 'vega-lite';
import type { LineData } from './line-data.js';
import type { LineChartOptions } from './line-types.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const RULE_COLOUR = '#555555';
/** Solid, dashed, dotted, dash-dot: enough styles to tell sources apart in greyscale too. */
const DASHES = [[1, 0], [6, 4], [2, 3], [8, 3, 2, 3]];

/** One chart as a Vega-Lite layer (no top-level config): lines, then the rules and their labels. */
export function lineChartLayer(o: LineChartOptions, data: LineData): TopLevelSpec {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: o.xLabel,
    // zero is meaningless (and warned about) on a log axis.
    scale: { type: o.xScale ?? 'linear', domain: data.domain.x, nice: false, ...(o.xScale === 'log' ? {} : { zero: false }) },
  } as const;
  const y = {
    field: 'y',
    type: 'quantitative',
    title: o.yLabel,
    scale: {
      type: o.yScale ?? 'linear',
      domain: data.domain.y,
      nice: false,
      zero: false,
      ...(o.yScale === 'symlog' && o.yConstant !== undefined ? { constant: o.yConstant } : {}),
    },
    // Vega places symlog ticks evenly in value, so all of them crowd the top decade: tick each decade.
    ...(o.yScale === 'symlog' ? { axis: { values: symlogTicks(data.domain.y, o.yConstant ?? 1), format: '~g' } } : {}),
  } as const;
  const showStyles = data.styleOrder.length > 1;
  const layers: TopLevelSpec[] = [
    {
      data: { values: data.rows },
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: {
        x,
        y,
        color: { field: 'series', type: 'nominal', title: o.legendTitle ?? null, scale: { domain: data.seriesOrder }, sort: data.seriesOrder },
        strokeDash: showStyles
          ? {
              field: 'style',
              type: 'nominal',
              title: null,
              scale: { domain: data.styleOrder, range: DASHES.slice(0, data.styleOrder.length) },
              ...(data.stylesMirrorSeries ? { legend: null } : {}),
            }
          : { value: [1, 0] },
        detail: { field: 'key', type: 'nominal' },
        order: { field: 'x', type: 'quantitative' },
      },
    } as TopLevelSpec,
  ];
  if (data.xRules.length > 0) {
    // One text layer per rule, each label a line lower, so labels of nearby rules do not overlap.
    layers.push({
      data: { values: data.xRules.map((r) => ({ x: r.value, label: r.label })) },
      layer: [
        { mark: { type: 'rule', color: RULE_COLOUR, strokeDash: [4, 3] }, encoding: { x } },
        ...data.xRules.map((_, k) => ({
          transform: [{ filter: { field: 'label', equal: data.xRules[k].label } }],
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3 + 12 * k, fontSize: 10, color: RULE_COLOUR },
          encoding: { x, y: { value: 0 }, text: { field: 'label' } },
        })),
      ],
    } as TopLevelSpec);
  }
  if (data.yRules.length > 0) {
    layers.push({
      data: { values: data.yRules.map((r) => ({ y: r.value, label: r.label })) },
      layer: [
        { mark: { type: 'rule', color: RULE_COLOUR, strokeDash: [4, 3] }, encoding: { y } },
        { mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -3, dy: -2, fontSize: 10, color: RULE_COLOUR }, encoding: { y, x: { value: o.width ?? 420 }, text: { field: 'label' } } },
      ],
    } as TopLevelSpec);
  }
  return {
    title: o.title,
    width: o.width ?? 420,
    height: o.height ?? 260,
    layer: layers,
  } as TopLevelSpec;
}

/** Charts side by side (`columns` per row), each with its own scales and legends. */
export function lineChartsSpec(charts: { options: LineChartOptions; data: LineData }[], columns: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 8,
    config: { font: FONT, aria: false, axis: { grid: true, gridOpacity: 0.35 }, legend: { orient: 'right' } },
    columns,
    concat: charts.map((c) => lineChartLayer(c.options, c.data)),
    resolve: { scale: { color: 'independent', strokeDash: 'independent', x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

/** 0 (if inside), and +-1, 2, 5 x 10^k from the linear part's magnitude up to the domain's ends. */
export function symlogTicks([lo, hi]: [number, number], constant: number): number[] {
  const ticks: number[] = [];
  if (lo <= 0 && hi >= 0) ticks.push(0);
  const biggest = Math.max(Math.abs(lo), Math.abs(hi));
  const decades = Math.ceil(Math.log10(biggest)) - Math.floor(Math.log10(constant));
  // Thin the 2 and 5 out when the axis spans many decades.
  const steps = decades > 4 ? [1] : [1, 2, 5];
  for (let k = Math.floor(Math.log10(constant)); k <= Math.ceil(Math.log10(biggest)); k++) {
    for (const m of steps) {
      const v = m * 10 ** k;
      if (v >= lo && v <= hi) ticks.push(v);
      if (-v >= lo && -v <= hi) ticks.push(-v);
    }
  }
  return [...new Set(ticks)].sort((a, b) => a - b);
}
