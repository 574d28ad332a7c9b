/** One curve: its points, a legend label, and a style (e.g. 'exact' solid, 'network' dashed). */
export interface LineSeries {
  label: string;
  /** Series sharing a style share a dash pattern; give one style to all for plain lines. */
  style?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** A labelled reference line across the plot: vertical at x = value, or horizontal at y = value. */
export interface LineRule {
  value: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Legend title of the series colours. */
  legendTitle?: string;
  xScale?: 'linear' | 'log';
  /** symlog: linear near 0 and logarithmic beyond, for curves that span orders of magnitude of both signs. */
  yScale?: 'linear' | 'symlog';
  /** symlog only: the half-width of the linear region around 0 (Vega's `constant`, default 1). */
  yConstant?: number;
  /** Axis ranges; by default the data's extent (and every rule). */
  domain?: { x?: [number, number]; y?: [number, number] };
  xRules?: LineRule[];
  yRules?: LineRule[];
  /** Plotting area in pixels. */
  width?: number;
  height?: number;
}
