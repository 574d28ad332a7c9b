import { describe, expect, it, vi } from 'vitest';
import { formatEta, progressBar } from '../src/commands/progress.js';

describe('formatEta', () => {
  it('says -- before there is a rate (no NaN or Infinity on the bar)', () => {
    expect(formatEta(Infinity)).toBe('--');
    expect(formatEta(Number.NaN)).toBe('--');
  });
  it('writes seconds, minutes and hours', () => {
    expect(formatEta(42.4)).toBe('42s');
    expect(formatEta(570)).toBe('9m30s');
    expect(formatEta(3900)).toBe('1h05m');
  });
});

/** The lines a bar writes when stderr is not a terminal, while `run` drives it. */
function nonTerminalLines(run: () => void): string[] {
  const lines: string[] = [];
  const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  try {
    run();
  } finally {
    write.mockRestore();
    if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  }
  return lines;
}

describe('progressBar when stderr is not a terminal', () => {
  it('starts at 0/N with the real N and prints its last line once', () => {
    const lines = nonTerminalLines(() => {
      const bar = progressBar('sample', 40, 'steps');
      bar.update(25);
      bar.update(40);
      bar.stop();
      bar.stop();
    });
    expect(lines[0]).toMatch(/^sample 0\/40 steps \| 0\.0 steps\/s \| ETA --\n$/);
    expect(lines.at(-1)).toMatch(/^sample 40\/40 steps \| [\d.]+ steps\/s \| ETA 0s\n$/);
    expect(lines.filter((l) => l.startsWith('sample 40/40'))).toHaveLength(1);
  });
});

describe('progressBar with the share of the work done', () => {
  it('takes the ETA from the share, not from the count, when units differ in cost', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const lines = nonTerminalLines(() => {
        const bar = progressBar('cells', 10, 'cells', { perMinute: true });
        vi.advanceTimersByTime(60_000);
        // One cell of ten done in a minute, but a quarter of the work: three minutes left, not nine.
        bar.update(1, undefined, 0.25);
        bar.stop();
      });
      expect(lines.at(-1)).toBe('cells 1/10 cells | 1.0 cells/min | ETA 3m00s\n');
    } finally {
      vi.useRealTimers();
    }
  });
});
