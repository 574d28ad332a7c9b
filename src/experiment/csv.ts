import type { CellValue, Row } from './rows.js';

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
function field(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header line; numbers at full precision, missing values empty. */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  return [columns.map((c) => field(c)).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}
