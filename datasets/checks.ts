import type { PathCoefficients, Points } from './target.js';

/**
 * The checks every target makes on its inputs, with one wording: rows of points,
 * path coefficients, and the parameters a factory is given.
 */

/** The number of rows of `dim` numbers in `x`; a RangeError when it does not split evenly. */
export function countRows(x: Points, dim: number): number {
  if (x.length % dim !== 0) {
    throw new RangeError(`points of length ${x.length} do not split into rows of dimension ${dim}`);
  }
  return x.length / dim;
}

/** The path coefficients of x = a x0 + b eps, checked: finite, a, b >= 0, not both 0. */
export function checkPath(path: PathCoefficients): PathCoefficients {
  const { a, b } = path;
  if (!(a >= 0 && b >= 0 && Number.isFinite(a) && Number.isFinite(b)) || (a === 0 && b === 0)) {
    throw new RangeError(`path coefficients need a, b >= 0, not both 0; got a = ${a}, b = ${b}`);
  }
  return path;
}

/** An integer >= min; `what` names it, e.g. "funnel dim". */
export function checkInteger(what: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    const accepted = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new RangeError(`${what} must be ${accepted}, got ${value}`);
  }
  return value;
}

/** A finite number > 0; `what` names it, e.g. "gaussian std". */
export function checkPositive(what: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${what} must be positive and finite, got ${value}`);
  return value;
}
