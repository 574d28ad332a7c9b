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
      format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/${options.perMinute ? 'min' : 's'} | ETA {eta_formatted}{extra}`,
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
  bar.start(total, 0, { rate: '0', extra: '' });
  return {
    update(done, extra) {
      const seconds = (performance.now() - started) / 1000;
      const text = extra ? ' | ' + Object.entries(extra).map(([k, v]) => `${k} ${v}`).join(' | ') : '';
      bar.update(done, { rate: ((per * done) / Math.max(seconds, 1e-9)).toFixed(1), extra: text });
    },
    setTotal(total) {
      bar.setTotal(total);
    },
    stop() {
      bar.stop();
    },
  };
}
