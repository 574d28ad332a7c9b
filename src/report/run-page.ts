import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml, figure, formatNumber, htmlPage, link, table, type Cell } from './html.js';
import type { EvaluationEntry, RunReportData } from './run-data.js';

/** The page's sections, each its HTML; the charts come already rendered (SVG text). */
export function runPageHtml(data: RunReportData, chartsSvg: string | null): string {
  const { config } = data;
  const title = `Run ${path.basename(path.resolve(data.dir))}: ${config.target.name}, ${config.process.name}`;
  const last = data.records.at(-1);
  const overview = `<p>${[
    `target <b>${escapeHtml(config.target.name)}</b> (d = ${config.target.dim})`,
    `process <b>${escapeHtml(config.process.name)}</b>`,
    `${escapeHtml(config.model.kind)} network`,
    last ? `step ${last.step} of ${config.train.steps}` : `no log records yet (0 of ${config.train.steps} steps)`,
    last?.time ? `last record ${escapeHtml(last.time)}` : null,
  ]
    .filter((s) => s !== null)
    .join(', ')}.</p>`;
  const sections = [
    overview,
    section('Training', chartsSvg === null ? '<p class="note">No log records yet.</p>' : `<div class="chart">${chartsSvg}</div>`),
    section('Samples during training', snapshotStrip(data)),
    section('Evaluations', evaluations(data)),
    section('Config', table(['setting', 'value'], data.configRows, 'config')),
    section('Files', table(['file', 'bytes'], data.files.map((f) => [{ html: link(f.name) }, f.bytes]), 'files')),
  ];
  return htmlPage(title, sections.join('\n'));
}

const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>\n${body}`;

function snapshotStrip(data: RunReportData): string {
  if (data.snapshots.length === 0) {
    return '<p class="note">No snapshots (train with --snapshot-every K draws a small fixed-seed sample every K steps).</p>';
  }
  const figures = data.snapshots.map((s) => figure(fs.readFileSync(path.join(data.dir, s.png)), `step ${s.step}`, `samples at step ${s.step}`));
  return `<div class="strip">\n${figures.join('\n')}\n</div>`;
}

function evaluations(data: RunReportData): string {
  if (data.evaluations.length === 0) return '<p class="note">No evaluations yet.</p>';
  return data.evaluations.map((e) => evaluationBlock(data.dir, e)).join('\n');
}

function evaluationBlock(dir: string, e: EvaluationEntry): string {
  const heading = `<h3>${e.step !== null ? `step ${e.step}: ` : ''}${link(e.dir)}</h3>`;
  const rows: Cell[][] = e.rows.map((r) => [r.metric, r.value, r.floor, r.ratio === null ? null : formatNumber(r.ratio)]);
  const metrics = rows.length > 0 ? table(['metric', 'value', 'floor', 'value / floor'], rows, 'metrics') : '<p class="note">No metrics (e.g. image metrics without a classifier).</p>';
  const picture = e.plot !== null ? figure(fs.readFileSync(path.join(dir, e.plot)), `${e.dir}/samples.png`) : '';
  const links = `<p class="note">${[e.plot, `${e.dir}/metrics.json`, `${e.dir}/samples.npy`].filter((f): f is string => f !== null).map((f) => link(f)).join(' · ')}${e.source === 'metrics.json' ? ' (from metrics.json)' : ''}</p>`;
  return [heading, metrics, picture, links].join('\n');
}
