import { describe, expect, it } from 'vitest';
import { formatEta } from '../src/commands/progress.js';

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
