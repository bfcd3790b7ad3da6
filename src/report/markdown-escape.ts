/**
 * Escaping for Markdown output: every value that comes from jobs, logs or configs goes through
 * one of these before it reaches a Markdown report or comparison.
 */

/**
 * A value from a template or a document as text, as String() writes it, except that null and undefined are
 * empty and a mapping shows its JSON rather than [object Object].
 */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return value.map(textOf).join(',');
  if (value instanceof Date) return value.toString();
  return JSON.stringify(value) ?? '';
}

/**
 * Text from jobs, logs and configs in Markdown (table cells and running text alike): raw HTML
 * and entities become text, pipes cannot split a table row, `](` cannot make a link or an image, and line breaks cannot start a new block.
 */
export function escapeMarkdown(value: unknown): string {
  return textOf(value)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\](?=[([])/g, '\\]')
    .replace(/\r\n?|\n/g, ' ');
}

/**
 * A Markdown code span that the value cannot close: a fence longer than any backtick run in it.
 * In a table (`inTable`), pipes are escaped as GFM requires even inside code spans.
 */
export function codeSpan(value: unknown, inTable = false): string {
  let text = textOf(value).replace(/\r\n?|\n/g, ' ');
  if (inTable) text = text.replace(/\|/g, '\\|');
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(runs.reduce((n, r) => Math.max(n, r.length), 0) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text inside a raw HTML element of a Markdown file (`<summary>`): HTML-escaped, on one line (a blank line would end the block). */
export function htmlInMarkdown(value: unknown): string {
  return textOf(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r\n?|\n/g, ' ');
}
