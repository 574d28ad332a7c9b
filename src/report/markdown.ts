import { escapeHtml, table } from './html.js';

/** `code` spans of escaped text as <code>. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());

/**
 * The Markdown the project writes itself (summary.md: headings, pipe tables, paragraphs) as HTML;
 * not a general Markdown reader.
 */
export function markdownToHtml(markdown: string, headingOffset = 1): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length + headingOffset);
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (line.trimStart().startsWith('|')) {
      flush();
      const block: string[] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith('|')) block.push(lines[i++]!);
      i--;
      const [header, ...rest] = block;
      const body = rest.filter((l) => !/^\|?\s*:?-{3,}/.test(l.trim()));
      out.push(table(cells(header!), body.map(cells), 'summary'));
    } else if (line.trim() === '') {
      flush();
    } else {
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}
