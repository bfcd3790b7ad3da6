/**
 * Read a key passphrase, a password or a server's one-time-code prompt from the terminal, without
 * echoing it unless the server marked the prompt as not secret. The prompt goes to stderr so that
 * `--json` output on stdout stays clean. What is typed is returned, never kept or logged.
 */
import { RemoteError } from '../errors.js';

export function isInteractive(): boolean {
  return process.stdin.isTTY === true && typeof process.stdin.setRawMode === 'function';
}

export function readPassphraseFromTty(prompt: string, options: { echo?: boolean } = {}): Promise<string> {
  const stdin = process.stdin;
  if (!isInteractive()) {
    return Promise.reject(new RemoteError('cannot ask for a passphrase: standard input is not a terminal'));
  }
  return new Promise((resolve, reject) => {
    let typed = '';
    const wasRaw = stdin.isRaw;
    const cleanup = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          cleanup();
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          reject(new RemoteError('passphrase entry interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else {
          typed += ch;
          if (options.echo === true) process.stderr.write(ch);
        }
      }
    };
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
