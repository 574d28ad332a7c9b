import cliProgress from 'cli-progress';

export interface ProgressReporter {
  /**
   * `workDone`: the share of this run's work done, in [0, 1], when the units differ in cost (the
   * cells of a sweep): the ETA then goes by it instead of by the count.
   */
  update(done: number, extra?: Record<string, string>, workDone?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/** Seconds between the lines of the bar when stderr is not a terminal. */
const LOG_LINE_SECONDS = 5;

/**
 * A progress bar on stderr with rate and ETA, starting at 0/total. When stderr
 * is not a terminal (CI, logs) it prints a line at the start, then one every
 * few seconds, and the last state once when it stops, instead of redrawing.
 */
export function progressBar(label: string, total: number, unit: string, options: { perMinute?: boolean } = {}): ProgressReporter {
  // Slow units (cells of a sweep) read better per minute.
  const per = options.perMinute ? 60 : 1;
  const rateUnit = `${unit}/${options.perMinute ? 'min' : 's'}`;
  const started = performance.now();
  let current = total;
  const fields = (done: number, extra?: Record<string, string>, workDone?: number) => {
    const seconds = (performance.now() - started) / 1000;
    const share = workDone ?? (current > 0 ? done / current : 0);
    const eta = share > 0 ? (seconds * (1 - share)) / share : Infinity;
    return {
      rate: ((per * done) / Math.max(seconds, 1e-9)).toFixed(1),
      etaText: formatEta(eta),
      extra: extra ? ' | ' + Object.entries(extra).map(([k, v]) => `${k} ${v}`).join(' | ') : '',
    };
  };
  if (!process.stderr.isTTY) return logLines(label, total, unit, rateUnit, fields);
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${rateUnit} | ETA {etaText}{extra}`,
      stream: process.stderr,
      etaBuffer: 200,
      hideCursor: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0', etaText: '--', extra: '' });
  return {
    update(done, extra, workDone) {
      bar.update(done, fields(done, extra, workDone));
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

type Fields = (done: number, extra?: Record<string, string>, workDone?: number) => { rate: string; etaText: string; extra: string };

/** The bar as log lines: one at the start, at most one every few seconds, and the last state once. */
function logLines(label: string, total: number, unit: string, rateUnit: string, fields: Fields): ProgressReporter {
  let current = total;
  let done = 0;
  let extra: Record<string, string> | undefined;
  let share: number | undefined;
  let printed = '';
  let printedAt = performance.now();
  let stopped = false;
  const print = () => {
    const f = fields(done, extra, share);
    const line = `${label} ${done}/${current} ${unit} | ${f.rate} ${rateUnit} | ETA ${f.etaText}${f.extra}`;
    // The state, not the rate, decides whether a line is news: the last line is not printed twice.
    const state = `${done}/${current}${f.extra}`;
    if (state === printed) return;
    process.stderr.write(line + '\n');
    printed = state;
    printedAt = performance.now();
  };
  print();
  return {
    update(value, values, workDone) {
      done = value;
      extra = values;
      share = workDone;
      if (!stopped && performance.now() - printedAt >= LOG_LINE_SECONDS * 1000) print();
    },
    setTotal(total) {
      current = total;
    },
    stop() {
      if (!stopped) print();
      stopped = true;
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
