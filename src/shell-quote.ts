/**
 * The one quoting function: every value that reaches a shell, in a rendered script or in a
 * remote command, passes through here.
 *
 * POSIX single quotes preserve every byte literally except the single quote itself, which is
 * closed, escaped and reopened. Safe words are left bare so scripts stay readable.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteShell(value: string | number | boolean): string {
  const text = String(value);
  if (text.length > 0 && SAFE_WORD.test(text)) return text;
  if (text.includes('\0')) {
    throw new TypeError('a NUL byte cannot be passed to a shell');
  }
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Quote each argument and join them into one command line. */
export function shellCommand(args: readonly (string | number)[]): string {
  return args.map((a) => quoteShell(a)).join(' ');
}
