import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { aggregate } from './aggregate.js';
import type { CellRecord } from './cell-record.js';
import { toCsv } from './csv.js';
import { writeFigures } from './figures.js';
import { writeExperimentReport } from '../report/experiment-report.js';
import { cellRow, CURVE_COLUMNS, curveRows, rowColumns, sortRows } from './rows.js';
import { summaryMarkdown } from './table.js';

export const OUTPUT_FILES = {
  results: 'results.csv',
  curves: 'score_error.csv',
  summary: 'summary.md',
  summaryJson: 'summary.json',
  figures: 'figures',
} as const;

export interface WrittenOutputs {
  files: string[];
  figures: string[];
  summary: string;
}

/**
 * Everything the sweep reports, rebuilt from the finished cells' records: results.csv (one row per
 * cell and seed), score_error.csv (the curves, long format), summary.md (means ± standard
 * deviations over seeds), summary.json (the same numbers), the figures, and report.html (one
 * self-contained page of the summary's tables and the figures).
 */
export async function writeOutputs(out: string, records: readonly CellRecord[], preamble: string): Promise<WrittenOutputs> {
  const rows = sortRows(records.map(cellRow));
  const curves = sortRows(records.flatMap(curveRows));
  const file = (name: string) => path.join(out, name);
  writeFileAtomicSync(file(OUTPUT_FILES.results), toCsv(rowColumns(rows), rows));
  writeFileAtomicSync(file(OUTPUT_FILES.curves), toCsv(CURVE_COLUMNS, curves));
  const summary = summaryMarkdown(rows, preamble);
  writeFileAtomicSync(file(OUTPUT_FILES.summary), summary);
  const numeric = rowColumns(rows).filter((c) => !['target', 'dim', 'process', 'width', 'seed'].includes(c));
  const groups = aggregate(rows, ['target', 'dim', 'process', 'width'], numeric);
  writeFileAtomicSync(file(OUTPUT_FILES.summaryJson), JSON.stringify({ groups }, null, 2) + '\n');
  const figureDir = file(OUTPUT_FILES.figures);
  fs.mkdirSync(figureDir, { recursive: true });
  const figures = (rows.length > 0 ? await writeFigures(rows, curves, figureDir) : []).map((f) => path.join(figureDir, f));
  const files = [OUTPUT_FILES.results, OUTPUT_FILES.curves, OUTPUT_FILES.summary, OUTPUT_FILES.summaryJson].map(file);
  const report = writeExperimentReport(out, summary, figures, files);
  return { files: [...files, report], figures, summary };
}
