import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { figure, htmlPage, link } from './html.js';
import { markdownToHtml } from './markdown.js';
import { REPORT_FILE } from './run-report.js';

/**
 * The experiment's page: summary.md's tables, every figure the experiment drew (its PNG files,
 * embedded) and links to its files, as `<out>/report.html`. `figures` and `files` are paths.
 */
export function writeExperimentReport(out: string, summaryMarkdown: string, figures: readonly string[], files: readonly string[]): string {
  const rel = (file: string) => path.relative(out, file).split(path.sep).join('/');
  const pngs = figures.filter((f) => f.endsWith('.png'));
  const figureHtml = pngs.map((f) => figure(fs.readFileSync(f), rel(f), path.basename(f, '.png'))).join('\n');
  const body = [
    markdownToHtml(summaryMarkdown),
    `<h2>Figures</h2>`,
    pngs.length > 0 ? figureHtml : '<p class="note">No figures (no finished cells).</p>',
    `<h2>Files</h2>`,
    `<ul>${[...files, ...figures.filter((f) => f.endsWith('.svg'))].map((f) => `<li>${link(rel(f))}</li>`).join('')}</ul>`,
  ].join('\n');
  const report = path.join(out, REPORT_FILE);
  writeFileAtomicSync(report, htmlPage(`Experiment ${path.basename(path.resolve(out))}`, body));
  return report;
}
