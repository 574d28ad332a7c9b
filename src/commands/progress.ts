import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(done: number, extra?: Record<string, string>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr with rate and ETA. When stderr is not a terminal
 * (CI, logs) it prints a line every few seconds instead of redrawing.
 */
export function progressBar(label: string, total: number, unit: string, options: { perMinute?: boolean } = {}): ProgressReporter {
  // Slow units (cells of a sweep) read better per minute.
  const per = options.perMinute ? 60 : 1;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/${options.perMinute ? 'min' : 's'} | ETA {etaText}{extra}`,
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      etaBuffer: 200,
      hideCursor: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(total, 0, { rate: '0', etaText: '--', extra: '' });
  let current = total;
  return {
    update(done, extra) {
      const seconds = (performance.now() - started) / 1000;
      const text = extra ? ' | ' + Object.entries(extra).map(([k, v]) => `${k} ${v}`).join(' | ') : '';
      const eta = done > 0 ? ((current - done) * seconds) / done : Infinity;
      bar.update(done, { rate: ((per * done) / Math.max(seconds, 1e-9)).toFixed(1), etaText: formatEta(eta), extra: text });
    },
    setTotal(total) {
      current = total;
      bar.setTotal(total);
    },
    stop() {
      bar.stop();
    },
  };
}

/** Remaining time as 1h05m, 9m30s or 42s; "--" until there is a rate to go by. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}
