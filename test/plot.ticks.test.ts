import { describe, expect, it } from 'vitest';
import { symlogTicks } from '../src/plot/line-spec.js';

describe('symlog axis ticks', () => {
  it('tick each decade from the linear part up, with 2 and 5 on short axes', () => {
    expect(symlogTicks([0.004, 0.5], 0.002)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(symlogTicks([0.3, 2e6], 1)).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
  });
  it('include 0 and both signs when the domain crosses 0', () => {
    expect(symlogTicks([-0.02, 0.1], 0.01)).toEqual([-0.02, -0.01, 0, 0.01, 0.02, 0.05, 0.1]);
  });
});
