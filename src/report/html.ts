/**
 * The pieces of a self-contained HTML page: escaping, tables, images as data URIs, one style
 * sheet. No scripts and no network: charts come as inline SVG, pictures as embedded PNG.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A table cell: text (escaped) or raw HTML. */
export type Cell = string | number | null | { html: string };

function cellHtml(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return escapeHtml(formatNumber(cell));
  if (typeof cell === 'string') return escapeHtml(cell);
  return cell.html;
}

/** Numbers as a reader wants them: integers whole, others to 4 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

export function table(header: readonly string[], rows: readonly (readonly Cell[])[], className = ''): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${cellHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export function pngDataUri(bytes: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** An embedded PNG with its caption. */
export function figure(png: Uint8Array, caption: string, alt = caption): string {
  return `<figure><img src="${pngDataUri(png)}" alt="${escapeHtml(alt)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** A link to a file relative to the page. */
export function link(href: string, text = href): string {
  return `<a href="${escapeHtml(href.split('/').map(encodeURIComponent).join('/'))}">${escapeHtml(text)}</a>`;
}

const STYLE = `
body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.strip { display: flex; flex-wrap: wrap; gap: 0.5em; }
.strip figure { margin: 0; width: 260px; }
.strip img { width: 100%; }
figure { margin: 0.5em 0; } figcaption { font-size: 0.85em; color: #555; }
figure img { max-width: min(100%, 520px); }
.strip figure img { max-width: 100%; }
.chart svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9em; }
`;

/** The whole page. */
export function htmlPage(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    // Nothing may be fetched: the page must open from a file, offline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
