import { describe, expect, it } from 'vitest';
import { CONFIDENCE_THRESHOLD, classMetrics, histogramEntropy } from '../src/metrics/classes.js';

/** Probability rows of 3 classes. */
const rows = (...r: number[][]) => Float64Array.from(r.flat());

describe('class metrics of predicted labels', () => {
  it('counts argmax labels, their entropy in nats and the confident share', () => {
    const p = rows(
      [0.95, 0.03, 0.02], // 0, confident
      [0.1, 0.85, 0.05], //  1, not confident
      [0.0, 0.05, 0.95], //  2, confident
      [0.0, 0.9, 0.1], //    1, exactly at the threshold: confident
    );
    const m = classMetrics(p, 4, 3);
    expect(m.histogram).toEqual([1, 2, 1]);
    expect(m.entropy).toBeCloseTo(-(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5)), 12);
    expect(m.confidentShare).toBe(0.75);
    expect(CONFIDENCE_THRESHOLD).toBe(0.9);
  });

  it('entropy is 0 for one class and ln K for an even spread', () => {
    const collapsed = rows([0.2, 0.7, 0.1], [0.1, 0.6, 0.3], [0, 1, 0]);
    expect(classMetrics(collapsed, 3, 3).entropy).toBe(0);
    expect(classMetrics(collapsed, 3, 3).histogram).toEqual([0, 3, 0]);
    const even = rows([1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]);
    expect(classMetrics(even, 6, 3).entropy).toBeCloseTo(Math.log(3), 12);
    expect(histogramEntropy(new Array(10).fill(7))).toBeCloseTo(Math.log(10), 12);
    expect(histogramEntropy([0, 0])).toBe(0);
  });

  it('breaks ties towards the lower class and takes a custom threshold', () => {
    const m = classMetrics(rows([0.4, 0.4, 0.2], [0.3, 0.35, 0.35]), 2, 3, 0.4);
    expect(m.histogram).toEqual([1, 1, 0]);
    expect(m.confidentShare).toBe(0.5);
  });

  it('rejects a probability array of the wrong size', () => {
    expect(() => classMetrics(new Float32Array(5), 2, 3)).toThrow('2 rows of 3 need 6 numbers, got 5');
  });
});
