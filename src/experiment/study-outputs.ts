import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUDGET_THRESHOLDS } from '../config/budget-defaults.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { bandScoreErrorMarkdown, bandSwapMarkdown, computeMarkdown, thresholdMarkdown, widthMarkdown, writeBudgetFigures } from './budget-outputs.js';
import type { CellRecord } from './cell-record.js';
import type { StudyName } from './grid.js';
import { OUTPUT_FILES } from './outputs.js';
import { cellRow, sortRows } from './rows.js';

/**
 * A study's outputs beyond writeOutputs' (run after it, from the same records): for the budget
 * study the figures against the parameter count, and the threshold, by-width, band score error, band-swap and compute
 * sections of summary.md. Returns the figure paths and the text added to the summary.
 */
export async function writeStudyOutputs(study: StudyName, out: string, records: readonly CellRecord[]): Promise<{ figures: string[]; summary: string }> {
  if (study !== 'budget' || records.length === 0) return { figures: [], summary: '' };
  const rows = sortRows(records.map(cellRow));
  const summary = ['', thresholdMarkdown(rows, BUDGET_THRESHOLDS), widthMarkdown(rows), bandScoreErrorMarkdown(rows), bandSwapMarkdown(rows), computeMarkdown(rows)].filter((s) => s !== '').join('\n\n') + '\n';
  const file = path.join(out, OUTPUT_FILES.summary);
  writeFileAtomicSync(file, fs.readFileSync(file, 'utf8') + summary);
  const dir = path.join(out, OUTPUT_FILES.figures);
  const figures = (await writeBudgetFigures(rows, records, dir)).map((f) => path.join(dir, f));
  return { figures, summary };
}
