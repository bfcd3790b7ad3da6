/**
 * `{name}` placeholders in an experiment's `command:` and `setup:`: replaced by the value of the
 * parameter of that name when the script is rendered (per array task for swept parameters).
 *
 * Only `{identifier}` is a placeholder. `${name}` is the shell's own expansion and is left alone,
 * as are JSON, awk programs and brace expansions (`{a,b}`, `{1..3}`). `{{name}}` writes a literal
 * `{name}`. A value is quoted for where it lands: bare words get shell quoting, inside '…' or "…"
 * the value is escaped for those quotes, so it always reaches the program as the same bytes.
 */
import { quoteShell } from '../shell-quote.js';
import type { ParamRecord, ParamValue } from './sweep.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export interface PlaceholderUse {
  name: string;
  /** Offset of the opening brace in the text. */
  offset: number;
}

type Quoting = 'none' | 'single' | 'double';

/** A shell context: quotes, or a command substitution ($(…), `…`) whose words are unquoted again. */
type Context = { kind: 'single' | 'double' | 'backtick' } | { kind: 'none' | 'subst'; parens: number };

type Segment = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string; offset: number; quoting: Quoting };

function quotingOf(context: Context): Quoting {
  return context.kind === 'single' ? 'single' : context.kind === 'double' ? 'double' : 'none';
}

/** Moves through the quoting contexts at `text[i]`; returns how many characters it consumed. */
function stepContext(text: string, i: number, stack: Context[]): number {
  const top = stack[stack.length - 1] ?? { kind: 'none', parens: 0 };
  const ch = text[i];
  if (top.kind === 'single') {
    if (ch === "'") stack.pop();
    return 1;
  }
  if (ch === '\\') return 2;
  if (ch === '$' && text[i + 1] === '(') {
    stack.push({ kind: 'subst', parens: 0 });
    return 2;
  }
  if (ch === '`') {
    if (top.kind === 'backtick') stack.pop();
    else stack.push({ kind: 'backtick' });
    return 1;
  }
  if (top.kind === 'double') {
    if (ch === '"') stack.pop();
    return 1;
  }
  if (ch === "'") stack.push({ kind: 'single' });
  else if (ch === '"') stack.push({ kind: 'double' });
  else if (top.kind === 'subst' && ch === '(') top.parens++;
  else if (top.kind === 'subst' && ch === ')') {
    if (top.parens === 0) stack.pop();
    else top.parens--;
  }
  return 1;
}

/** Splits shell code into literal text and placeholders, tracking the quotes each one sits in. */
function scanSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  const stack: Context[] = [{ kind: 'none', parens: 0 }];
  let literal = '';
  let i = 0;
  const flush = (): void => {
    if (literal !== '') segments.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (i < text.length) {
    const context = stack[stack.length - 1] ?? { kind: 'none', parens: 0 };
    if (text[i] === '{') {
      const escaped = /^\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/.exec(text.slice(i));
      if (escaped) {
        literal += `{${escaped[1] ?? ''}}`;
        i += escaped[0].length;
        continue;
      }
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (name !== undefined && text[i + 1 + name.length] === '}') {
        flush();
        segments.push({ kind: 'placeholder', name, offset: i, quoting: quotingOf(context) });
        i += name.length + 2;
        continue;
      }
    }
    if (text[i] === '$' && text[i + 1] === '{' && context.kind !== 'single') {
      // The shell's ${…} expansion, nested braces included, is copied as it is.
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) break;
      }
      literal += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const step = stepContext(text, i, stack);
    if (stack.length === 0) stack.push({ kind: 'none', parens: 0 });
    literal += text.slice(i, i + step);
    i += step;
  }
  flush();
  return segments;
}

/** Every placeholder in the text, in order. */
export function findPlaceholders(text: string): PlaceholderUse[] {
  return scanSegments(text).flatMap((s) => (s.kind === 'placeholder' ? [{ name: s.name, offset: s.offset }] : []));
}

function quoteFor(value: ParamValue, quoting: Quoting): string {
  const text = String(value);
  if (text.includes('\0')) throw new TypeError('a NUL byte cannot be passed to a shell');
  switch (quoting) {
    case 'none':
      return quoteShell(text);
    case 'single':
      return text.replace(/'/g, `'\\''`);
    case 'double':
      return text.replace(/[\\$`"]/g, '\\$&');
  }
}

/**
 * The text with each known placeholder replaced by its quoted value and `{{name}}` unescaped.
 * Unknown placeholders are left as written (the config check has refused them already).
 */
export function substitutePlaceholders(text: string, values: ParamRecord): string {
  return scanSegments(text)
    .map((s) => {
      if (s.kind === 'text') return s.text;
      const value = values[s.name];
      return value === undefined ? `{${s.name}}` : quoteFor(value, s.quoting);
    })
    .join('');
}

/** Whether shell code reads a parameter: as `{name}`, `$name` or `${name…}`. */
export function mentionsParameter(text: string, name: string): boolean {
  if (findPlaceholders(text).some((p) => p.name === name)) return true;
  return new RegExp(`\\$(${name}(?![A-Za-z0-9_])|\\{${name}(?![A-Za-z0-9_]))`).test(text);
}

/** The second name a parameter is exported under: HPCBENCH_PARAM_ and the name in capitals. */
export function parameterEnvName(name: string): string {
  return `HPCBENCH_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** A `case` over the array task id, one branch per task, each holding that task's shell code. */
function formatTaskCase(branches: readonly string[], what: string): string {
  const lines = ['case "$HPCBENCH_TASK" in'];
  branches.forEach((code, task) => {
    lines.push(`${task})`, code, ';;');
  });
  lines.push('*)', `echo "hpcbench: no ${what} for array task $HPCBENCH_TASK" >&2`, 'exit 2', ';;', 'esac');
  return lines.join('\n');
}

/**
 * Shell code with its placeholders filled: one text when it uses no swept parameter, else a
 * `case` giving each array task its own line (the script is shared by every task of the array).
 */
export function fillPlaceholders(text: string, fixed: ParamRecord, points: readonly ParamRecord[], what: string): string {
  const swept = new Set(points.flatMap((p) => Object.keys(p)));
  const usesSwept = findPlaceholders(text).some((p) => swept.has(p.name));
  if (!usesSwept || points.length === 0) return substitutePlaceholders(text, fixed);
  return formatTaskCase(
    points.map((point) => substitutePlaceholders(text, { ...fixed, ...point })),
    what,
  );
}
