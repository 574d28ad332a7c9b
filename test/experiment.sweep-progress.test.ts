import { describe, expect, it } from 'vitest';
import type { CellEstimate } from '../src/experiment/estimate.js';
import { cellWorkDone, cellWorkTotal, meanStopShare, sweepProgress } from '../src/experiment/sweep-progress.js';

/** Training `train` seconds at the cap of 100 updates, `rest` for each later phase, 1 for the start-up. */
const estimate = (train: number, rest = 0): CellEstimate => ({ train, model: rest, oracle: rest, scoreError: rest, bandSwap: rest, total: train + 4 * rest + 1 });
const cell = (train: number, rest = 0) => ({ estimate: estimate(train, rest), cap: 100 });

describe('cellWorkDone', () => {
  const w = cell(100, 10);
  it('counts training by its update, each later phase whole once the next begins, and a finished cell whole', () => {
    expect(cellWorkDone(w, { phase: 'train', done: 0, total: 100 })).toBe(0);
    expect(cellWorkDone(w, { phase: 'train', done: 25, total: 100 })).toBe(25);
    expect(cellWorkDone(w, { phase: 'model', done: 0, total: 1 })).toBe(100);
    expect(cellWorkDone(w, { phase: 'oracle', done: 0, total: 1 })).toBe(110);
    expect(cellWorkDone(w, { phase: 'score-error', done: 0, total: 1 })).toBe(120);
    expect(cellWorkDone(w, { phase: 'band-swap', done: 3, total: 6 })).toBe(135);
    expect(cellWorkDone(w, 'finished')).toBe(141);
  });
  it('a cell whose training ended early has that much less work', () => {
    const early = { ...w, trainEnd: 40 };
    expect(cellWorkTotal(early)).toBe(141 - 60);
    expect(cellWorkDone(early, { phase: 'model', done: 0, total: 1 })).toBe(40);
    expect(cellWorkDone(early, 'finished')).toBe(81);
  });
});

describe('sweepProgress', () => {
  it('weights the cells by their cost: one long cell half done is most of the sweep', () => {
    const p = sweepProgress(new Map([['long', cell(99)], ['short', cell(0)]]));
    expect(p.workDone()).toBe(0);
    p.report('long', { phase: 'train', done: 50, total: 100 });
    // 49.5 of 99 + 2 (the two start-ups) seconds.
    expect(p.workDone()).toBeCloseTo(49.5 / 101, 12);
    p.report('short', 'finished');
    expect(p.workDone()).toBeCloseTo(50.5 / 101, 12);
    p.report('long', 'finished');
    expect(p.workDone()).toBe(1);
  });
  it('training skipped by an early stop is neither done nor left', () => {
    const p = sweepProgress(new Map([['a', cell(100)], ['b', cell(100)]]));
    p.report('a', { phase: 'train', done: 40, total: 100 });
    p.report('a', { phase: 'train', done: 40, total: 40 });
    p.report('a', { phase: 'model', done: 0, total: 1 });
    // Done 40; left: a's start-up, and all of b.
    expect(p.workDone()).toBeCloseTo(40 / (40 + 1 + 101), 12);
  });
  it("leaves out a resumed cell's training before its checkpoint: only this run's work counts", () => {
    const p = sweepProgress(new Map([['a', cell(100)], ['b', cell(100)]]), new Map([['a', 50]]));
    expect(p.workDone()).toBe(0);
    p.report('a', { phase: 'train', done: 50, total: 100 });
    expect(p.workDone()).toBe(0);
    p.report('a', { phase: 'train', done: 75, total: 100 });
    // 25 done; left: 26 of a, 101 of b.
    expect(p.workDone()).toBeCloseTo(25 / (25 + 26 + 101), 12);
  });
  it('expects a cell that may stop early to stop where the ended ones did on average', () => {
    const early = (train: number) => ({ ...cell(train), stopsEarly: true });
    const p = sweepProgress(new Map([['a', early(100)], ['b', early(100)], ['fixed', cell(100)]]));
    p.report('a', { phase: 'train', done: 40, total: 100 });
    p.report('a', { phase: 'train', done: 40, total: 40 });
    p.report('a', { phase: 'model', done: 0, total: 1 });
    // Done 40; left: a's start-up, b at 40 of its cap and a start-up, all of the cell without a rule.
    expect(p.workDone()).toBeCloseTo(40 / (40 + 1 + 41 + 101), 12);
    // b past the expected stop: its training counts at least as far as it got.
    p.report('b', { phase: 'train', done: 60, total: 100 });
    expect(p.workDone()).toBeCloseTo(100 / (100 + 1 + 1 + 101), 12);
  });
  it('starts from the stop shares of the cells finished before this run', () => {
    const p = sweepProgress(new Map([['b', { ...cell(100), stopsEarly: true }]]), new Map(), [0.2, 0.3]);
    expect(meanStopShare([0.2, 0.3])).toBeCloseTo(0.25, 12);
    expect(meanStopShare([])).toBe(1);
    p.report('b', { phase: 'train', done: 10, total: 100 });
    expect(p.workDone()).toBeCloseTo(10 / 26, 12);
  });
  it('ignores cells it was not given', () => {
    const p = sweepProgress(new Map([['a', cell(10)]]));
    p.report('other', 'finished');
    expect(p.workDone()).toBe(0);
  });
});
