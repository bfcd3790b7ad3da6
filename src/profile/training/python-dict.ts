/**
 * A small reader for the flat Python dict reprs the Hugging Face Trainer prints
 * (`{'loss': 2.345, 'learning_rate': 4.5e-05, 'epoch': 0.5}`). Not a Python parser: it knows
 * the scalars that appear there (numbers, nan/inf, True/False/None, quoted strings) and
 * `tensor(1.23, device='cuda:0')`, which older transformers versions printed for grad_norm.
 */

export type PythonScalar = number | string | boolean | null;

interface Cursor {
  text: string;
  pos: number;
}

function skipSpaces(c: Cursor): void {
  while (c.pos < c.text.length && (c.text[c.pos] === ' ' || c.text[c.pos] === '\t')) c.pos++;
}

function readString(c: Cursor): string | undefined {
  const quote = c.text[c.pos];
  if (quote !== "'" && quote !== '"') return undefined;
  let out = '';
  for (let i = c.pos + 1; i < c.text.length; i++) {
    const ch = c.text[i] as string;
    if (ch === '\\' && i + 1 < c.text.length) {
      out += c.text[i + 1];
      i++;
    } else if (ch === quote) {
      c.pos = i + 1;
      return out;
    } else {
      out += ch;
    }
  }
  return undefined;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const WORDS: Record<string, PythonScalar> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  True: true,
  False: false,
  None: null,
};

function readScalar(c: Cursor): PythonScalar | undefined {
  const rest = c.text.slice(c.pos, c.pos + 64);
  if (rest.startsWith("'") || rest.startsWith('"')) return readString(c);
  const number = NUMBER.exec(rest);
  if (number !== null) {
    c.pos += number[0].length;
    return Number(number[0]);
  }
  for (const [word, value] of Object.entries(WORDS)) {
    if (rest.startsWith(word) && !/[A-Za-z0-9_]/.test(rest[word.length] ?? '')) {
      c.pos += word.length;
      return value;
    }
  }
  if (rest.startsWith('tensor(')) {
    c.pos += 'tensor('.length;
    skipSpaces(c);
    const inner = readScalar(c);
    const close = c.text.indexOf(')', c.pos);
    if (inner === undefined || close < 0) return undefined;
    c.pos = close + 1;
    return inner;
  }
  return undefined;
}

/**
 * Parses a flat dict starting at `start` (which must be `{`). Returns the dict and the index
 * just past its `}`, or undefined when the text there is not a flat dict of scalars.
 */
export function parsePythonDict(
  text: string,
  start: number,
): { value: Record<string, PythonScalar>; end: number } | undefined {
  if (text[start] !== '{') return undefined;
  const c: Cursor = { text, pos: start + 1 };
  const value: Record<string, PythonScalar> = {};
  skipSpaces(c);
  if (text[c.pos] === '}') return { value, end: c.pos + 1 };
  for (;;) {
    skipSpaces(c);
    const key = readString(c);
    if (key === undefined) return undefined;
    skipSpaces(c);
    if (text[c.pos] !== ':') return undefined;
    c.pos++;
    skipSpaces(c);
    const scalar = readScalar(c);
    if (scalar === undefined) return undefined;
    value[key] = scalar;
    skipSpaces(c);
    const next = text[c.pos];
    c.pos++;
    if (next === '}') return { value, end: c.pos };
    if (next !== ',') return undefined;
  }
}
