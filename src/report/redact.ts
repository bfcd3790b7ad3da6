/**
 * Secrets never travel into reports. One rule decides which names hold secrets, and every report
 * format and bundle goes through the functions here: values of secret-looking keys (YAML and JSON
 * keys, shell assignments, command-line flags) become `[redacted]`.
 *
 * The rule works on the words of a name (split at `_`, `-`, `.` and camelCase humps), so `KEYBOARD`,
 * `AUTHOR`, `max_new_tokens` or `num_key_value_heads` stay visible while `HF_TOKEN`, `WANDB_API_KEY`,
 * `AWS_SECRET_ACCESS_KEY`, `db_password` and `apiKey` are hidden. It errs on the side of hiding:
 * a redacted harmless value costs a little reproducibility, a leaked token costs an account.
 */

export const REDACTED = '[redacted]';

/** Words that mark a secret wherever they appear in a name. */
const SECRET_ANYWHERE = new Set([
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASSPHRASE',
  'CREDENTIAL',
  'CREDENTIALS',
  'AUTH',
  'AUTHORIZATION',
  'APIKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'PRIVATEKEY',
  'COOKIE',
]);

// KEY and TOKEN are also parts of harmless names (`key_value_heads`, `token_budget`); as the last
// word (or KEY before ID, as in AWS_ACCESS_KEY_ID) they name the secret itself.
const LAST_WORD = new Set(['KEY', 'TOKEN']);

/** Tokenizer settings and per-token metrics, not credentials: `pad_token`, `eos_token_id`, `time_per_output_token`. */
const NOT_CREDENTIAL_TOKEN = new Set(['PAD', 'EOS', 'BOS', 'UNK', 'SEP', 'CLS', 'MASK', 'SPECIAL', 'START', 'END', 'STOP', 'PER', 'OUTPUT', 'INPUT', 'FIRST', 'NEXT']);

/** Splits a name into upper-case words: `wandbApiKey` → WANDB, API, KEY; `AWS_SECRET_ACCESS_KEY` → AWS, SECRET, ACCESS, KEY. */
function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toUpperCase());
}

/** Whether a key, variable or flag name looks like it holds a secret (case-insensitive). */
export function isSecretKey(name: string): boolean {
  const words = splitWords(name);
  for (const [i, word] of words.entries()) {
    if (SECRET_ANYWHERE.has(word)) return true;
    // One-word spellings: `hftoken`, `dbpassword`, `clientsecret`.
    if (word.length > 5 && /(TOKEN|PASSWORD|PASSWD|SECRET)$/.test(word) && word !== 'PRETOKEN' && word !== 'SUBTOKEN') return true;
    if (LAST_WORD.has(word)) {
      const next = words[i + 1];
      const previous = i > 0 ? words[i - 1] : undefined;
      if (word === 'TOKEN' && previous !== undefined && NOT_CREDENTIAL_TOKEN.has(previous)) continue;
      if (next === undefined || (word === 'KEY' && next === 'ID')) return true;
    }
  }
  return false;
}

/** One shell word: quoted parts, escapes and plain characters up to a separator. */
const SHELL_VALUE = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|\$'(?:[^'\\]|\\.)*'|\\.|[^\s;&|<>()'"\x60])+`;
/** `NAME=` not inside another name; the scan goes on right after the `=`, so `--export=ALL,HF_TOKEN=…` and `a=b=c` are seen whole. */
const NAME_EQ = /(?<![A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)=/g;
const VALUE_AT = new RegExp(SHELL_VALUE, 'y');
const FLAG_VALUE = new RegExp(String.raw`(^|\s)(--?[A-Za-z][A-Za-z0-9_.-]*)([ \t]+)(?!-)(${SHELL_VALUE})`, 'g');
const QUOTED_PAIR = /(["'])([^"'\n]{1,200})\1([ \t]*:[ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,}\]]+)/g;

/** A loop, not a recursive replace: a hostile `a=a=a=…` of any length costs linear time and no stack. */
function redactAssignments(text: string): string {
  let out = '';
  let copied = 0;
  NAME_EQ.lastIndex = 0;
  for (let m = NAME_EQ.exec(text); m !== null; m = NAME_EQ.exec(text)) {
    if (!isSecretKey(m[1] ?? '')) continue;
    const valueStart = m.index + m[0].length;
    VALUE_AT.lastIndex = valueStart;
    const value = VALUE_AT.exec(text);
    if (value === null) continue;
    out += text.slice(copied, valueStart) + REDACTED;
    copied = valueStart + value[0].length;
    NAME_EQ.lastIndex = copied;
  }
  return out + text.slice(copied);
}

/**
 * Redacts secrets written into free text: `export HF_TOKEN=…`, `HF_TOKEN=… cmd`,
 * `--export=ALL,HF_TOKEN=…`, `--api-key …` and JSON pairs `"hf_token": "…"`. Idempotent.
 */
export function redactText(text: string): string {
  if (text === '') return text;
  return redactAssignments(text)
    .replace(FLAG_VALUE, (whole, before: string, flag: string, space: string, value: string) =>
      isSecretKey(flag) && value !== REDACTED && !flag.includes('=') ? `${before}${flag}${space}${REDACTED}` : whole,
    )
    .replace(QUOTED_PAIR, (whole, quote: string, key: string, colon: string, value: string) => {
      if (!isSecretKey(key) || value === `"${REDACTED}"` || value === REDACTED) return whole;
      return `${quote}${key}${quote}${colon}"${REDACTED}"`;
    });
}

/** A reference (`$HF_TOKEN`, `${HF_TOKEN}`, `$(cat ~/.hf_token)`) reads the secret on the cluster; it holds none itself. */
export function isReference(value: string): boolean {
  return /^["']?\$/.test(value.trim());
}

/**
 * The secret-looking names a text assigns or passes as flags with a literal value
 * (`export HF_TOKEN=hf_…` → HF_TOKEN), in order, once each; references are not listed.
 */
export function listSecretNames(text: string): string[] {
  const names: string[] = [];
  const add = (name: string, value: string): void => {
    if (isSecretKey(name) && !isReference(value) && !names.includes(name)) names.push(name);
  };
  for (const m of text.matchAll(NAME_EQ)) {
    VALUE_AT.lastIndex = m.index + m[0].length;
    add(m[1] ?? '', VALUE_AT.exec(text)?.[0] ?? '');
  }
  for (const m of text.matchAll(FLAG_VALUE)) if (!(m[2] ?? '').includes('=')) add(m[2] ?? '', m[4] ?? '');
  for (const m of text.matchAll(QUOTED_PAIR)) add(m[2] ?? '', m[4] ?? '');
  return names;
}

/**
 * A value from a parsed document (metadata.json, run parameters): values under secret-looking
 * keys are replaced whole (nested objects too), other strings go through `redactText`.
 */
function redactValue(value: unknown, secret = false): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secret));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v, secret || isSecretKey(k));
    return out;
  }
  if (secret) return REDACTED;
  return typeof value === 'string' ? redactText(value) : value;
}

/** `redactValue` for a record whose type stays the same (values of secret keys become strings). */
export function redactRecord<T extends Record<string, unknown>>(record: T): T {
  return redactValue(record) as T;
}

/** Every string anywhere in the value through `redactText`, keys untouched (for documents whose own field names are not data). */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactStrings(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactStrings(v);
    return out as T;
  }
  return value;
}
