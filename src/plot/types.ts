/** A density evaluated on a grid, drawn as a heatmap behind the points. */
export interface DensityGrid {
  /** Grid x coordinates (cell centres), increasing. */
  xs: number[];
  /** Grid y coordinates (cell centres), increasing. */
  ys: number[];
  /** log density, ys.length x xs.length, row-major (row j is y = ys[j]). */
  logDensity: Float64Array;
}

export interface ScatterOptions {
  /** Sample points, row-major n x dim. */
  points: Float64Array;
  dim: number;
  /** Which coordinates go on the horizontal and vertical axes. */
  xIndex: number;
  yIndex: number;
  xLabel: string;
  yLabel: string;
  title: string;
  /** Optional second point set (e.g. training data), same dim, drawn underneath in grey. */
  reference?: Float64Array;
  density?: DensityGrid;
  /** Size of the plotting area in pixels (axes, title and legend come on top). */
  width?: number;
  height?: number;
  /** Axis ranges; by default the density grid's extent, else the points' with a margin. */
  domain?: { x: [number, number]; y: [number, number] };
}
