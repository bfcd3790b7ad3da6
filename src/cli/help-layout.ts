/**
 * The part of cliui (and of wrap-ansi, which it wraps text with) that the top-level help uses,
 * for plain ASCII text: importing cliui costs about as much CPU as starting node, most of it in
 * Unicode width tables this text never needs. Same rules, so the same text as yargs prints
 * (tests/unit/cli/lazy-commands.test.ts compares them at several widths); text that is not
 * printable ASCII is laid out by cliui itself (see top-level-help.ts).
 */

export interface Column {
  text: string;
  width?: number;
  align?: 'right';
  /** top, right, bottom, left */
  padding?: [number, number, number, number];
}

interface Row {
  columns: Column[];
  span: boolean;
}

interface Line {
  text: string;
  span: boolean;
  hidden?: boolean;
}

/** Whether the layout here gives the same text as cliui: printable ASCII and newlines only. */
export function isPlainText(text: string): boolean {
  return /^[\x20-\x7e\n]*$/.test(text);
}

/** A long word over several rows, as wrap-ansi's hard mode cuts it. */
function wrapWord(rows: string[], word: string, columns: number): void {
  let visible = (rows[rows.length - 1] ?? '').length;
  for (let i = 0; i < word.length; i++) {
    const character = word[i] ?? '';
    if (visible + 1 <= columns) rows[rows.length - 1] += character;
    else {
      rows.push(character);
      visible = 0;
    }
    visible += 1;
    if (visible === columns && i < word.length - 1) {
      rows.push('');
      visible = 0;
    }
  }
  if (!visible && (rows[rows.length - 1] ?? '').length > 0 && rows.length > 1) rows[rows.length - 2] += rows.pop() ?? '';
}

/** wrap-ansi's word wrap with `hard: true` and the default trimming, for one line of ASCII. */
function wrapLine(line: string, columns: number): string {
  if (line.trim() === '') return '';
  const words = line.split(' ');
  const rows = [''];
  words.forEach((word, index) => {
    rows[rows.length - 1] = (rows[rows.length - 1] ?? '').trimStart();
    let rowLength = (rows[rows.length - 1] ?? '').length;
    if (index !== 0 && rowLength > 0) {
      rows[rows.length - 1] += ' ';
      rowLength++;
    }
    if (word.length > columns) {
      const remaining = columns - rowLength;
      const breaksStartingThisLine = 1 + Math.floor((word.length - remaining - 1) / columns);
      const breaksStartingNextLine = Math.floor((word.length - 1) / columns);
      if (breaksStartingNextLine < breaksStartingThisLine) rows.push('');
      wrapWord(rows, word, columns);
      return;
    }
    if (rowLength + word.length > columns && rowLength > 0 && word.length > 0) rows.push('');
    rows[rows.length - 1] += word;
  });
  // Trailing spaces go; the split on ' ' keeps empty words, which join back without them.
  return rows
    .map((row) => {
      const parts = row.split(' ');
      let last = parts.length;
      while (last > 0 && (parts[last - 1] ?? '').length === 0) last--;
      return last === parts.length ? row : parts.slice(0, last).join(' ') + parts.slice(last).join('');
    })
    .join('\n');
}

function wrapText(text: string, columns: number): string {
  return text
    .replaceAll('\r\n', '\n')
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

const innerWidth = (column: Column): number => (column.width ?? 0) - ((column.padding?.[3] ?? 0) + (column.padding?.[1] ?? 0));

/** cliui's UI with wrapping on: rows of columns, a span row continued by the next row. */
export class HelpLayout {
  private readonly rows: Row[] = [];

  constructor(private readonly width: number) {}

  div(...columns: (Column | string)[]): void {
    this.rows.push({ columns: this.toColumns(columns), span: false });
  }

  span(...columns: (Column | string)[]): void {
    this.rows.push({ columns: this.toColumns(columns), span: true });
  }

  private toColumns(columns: (Column | string)[]): Column[] {
    if (columns.length === 0) return [{ text: '', padding: [0, 0, 0, 0] }];
    return columns.map((c) => {
      if (typeof c !== 'string') return { ...c };
      return { text: c, padding: [0, /\s*$/.exec(c)?.[0].length ?? 0, 0, /^\s*/.exec(c)?.[0].length ?? 0] };
    });
  }

  private setWidths(row: Row): void {
    let unset = row.columns.length;
    let remaining = this.width;
    for (const c of row.columns) {
      if (c.width) {
        unset--;
        remaining -= c.width;
      }
    }
    const unsetWidth = unset ? Math.floor(remaining / unset) : 0;
    for (const c of row.columns) {
      if (!c.width) c.width = Math.max(unsetWidth, 1 + (c.padding?.[3] ?? 0) + (c.padding?.[1] ?? 0));
    }
  }

  private renderRow(row: Row, lines: Line[]): void {
    this.setWidths(row);
    const raster: string[][] = [];
    row.columns.forEach((c, ci) => {
      const wrapped = wrapText(c.text, innerWidth(c)).split('\n');
      wrapped.unshift(...new Array<string>(c.padding?.[0] ?? 0).fill(''));
      wrapped.push(...new Array<string>(c.padding?.[2] ?? 0).fill(''));
      wrapped.forEach((text, r) => {
        const rasterRow = raster[r] ?? [];
        raster[r] = rasterRow;
        while (rasterRow.length < ci) rasterRow.push('');
        rasterRow.push(text);
      });
    });
    raster.forEach((rasterRow, r) => {
      let str = '';
      rasterRow.forEach((text, ci) => {
        const c = row.columns[ci] as Column;
        const wrapWidth = innerWidth(c);
        let ts = text;
        if (wrapWidth > ts.length) ts += ' '.repeat(wrapWidth - ts.length);
        if (c.align === 'right') {
          const trimmed = ts.trim();
          ts = trimmed.length < wrapWidth ? ' '.repeat(wrapWidth - trimmed.length) + trimmed : trimmed;
          if (ts.length < wrapWidth) ts += ' '.repeat((c.width ?? 0) - ts.length - 1);
        }
        str += ' '.repeat(c.padding?.[3] ?? 0) + ts + ' '.repeat(c.padding?.[1] ?? 0);
        const previous = lines[lines.length - 1];
        if (r === 0 && previous !== undefined) str = this.renderInline(str, previous);
      });
      lines.push({ text: str.replace(/ +$/, ''), span: row.span });
    });
  }

  /** The row after a span goes on the span's last line when it starts past that line's text. */
  private renderInline(source: string, previous: Line): string {
    const leading = /^ */.exec(source)?.[0].length ?? 0;
    const target = previous.text.trimEnd();
    if (!previous.span || leading < target.length) return source;
    previous.hidden = true;
    return target + ' '.repeat(leading - target.length) + source.trimStart();
  }

  toString(): string {
    const lines: Line[] = [];
    for (const row of this.rows) this.renderRow(row, lines);
    return lines
      .filter((l) => !l.hidden)
      .map((l) => l.text)
      .join('\n');
  }
}
