import { describe, expect, it } from 'vitest';
import type { CellEstimate } from '../src/experiment/estimate.js';
import { cellWorkDone, sweepProgress } from '../src/experiment/sweep-progress.js';

const estimate = (train: number, rest = 0): CellEstimate => ({ train, model: rest, oracle: rest, scoreError: rest, bandSwap: rest, total: train + 4 * rest + 1 });

describe('cellWorkDone', () => {
  const e = estimate(100, 10);
  it('counts training by its update, each later phase whole once the next begins, and a finished cell whole', () => {
    expect(cellWorkDone(e, { phase: 'train', done: 0, total: 200 })).toBe(0);
    expect(cellWorkDone(e, { phase: 'train', done: 50, total: 200 })).toBe(25);
    expect(cellWorkDone(e, { phase: 'model', done: 0, total: 1 })).toBe(100);
    expect(cellWorkDone(e, { phase: 'oracle', done: 0, total: 1 })).toBe(110);
    expect(cellWorkDone(e, { phase: 'score-error', done: 0, total: 1 })).toBe(120);
    expect(cellWorkDone(e, { phase: 'band-swap', done: 3, total: 6 })).toBe(135);
    expect(cellWorkDone(e, 'finished')).toBe(e.total);
  });
  it('training that stops early counts whole once sampling begins', () => {
    const stoppedAt = cellWorkDone(e, { phase: 'train', done: 60, total: 200 });
    expect(stoppedAt).toBe(30);
    expect(cellWorkDone(e, { phase: 'model', done: 0, total: 1 })).toBe(e.train);
  });
});

describe('sweepProgress', () => {
  it('weights the cells by their cost: one long cell half done is most of the sweep', () => {
    const p = sweepProgress(new Map([['long', estimate(99)], ['short', estimate(0)]]));
    expect(p.workDone()).toBe(0);
    p.report('long', { phase: 'train', done: 50, total: 100 });
    // 49.5 of 100 + 1 (the two start-ups) seconds.
    expect(p.workDone()).toBeCloseTo(49.5 / 101, 12);
    p.report('short', 'finished');
    expect(p.workDone()).toBeCloseTo(50.5 / 101, 12);
    p.report('long', 'finished');
    expect(p.workDone()).toBe(1);
  });
  it("leaves out a resumed cell's training before its checkpoint: only this run's work counts", () => {
    const p = sweepProgress(new Map([['a', estimate(100)], ['b', estimate(100)]]), new Map([['a', { step: 50, cap: 100 }]]));
    expect(p.workDone()).toBe(0);
    p.report('a', { phase: 'train', done: 50, total: 100 });
    expect(p.workDone()).toBe(0);
    p.report('a', { phase: 'train', done: 75, total: 100 });
    // 25 done; left: 26 of a, 101 of b.
    expect(p.workDone()).toBeCloseTo(25 / (25 + 26 + 101), 12);
  });
  it('ignores cells it was not given', () => {
    const p = sweepProgress(new Map([['a', estimate(10)]]));
    p.report('other', 'finished');
    expect(p.workDone()).toBe(0);
  });
});
