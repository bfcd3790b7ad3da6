/**
 * Password and keyboard-interactive authentication, for centres that ask for a password or a
 * one-time code. The server's own prompts are shown on the terminal (no echo unless the server
 * asks for it) and each answer goes straight into the method handed to ssh2: nothing is kept in
 * the attempt, written to a file or put into a message.
 */
import type { KeyboardInteractiveAuthMethod, PasswordAuthMethod, Prompt } from 'ssh2';
import { RemoteError } from '../errors.js';

/** Asks a person one question; `echo` is false for secrets (the default). */
export type SecretPrompt = (prompt: string, options?: { echo?: boolean }) => Promise<string>;

/** OpenSSH's NumberOfPasswordPrompts: tries per method before giving up. */
export const PASSWORD_PROMPTS = 3;

export type InteractiveKind = 'keyboard-interactive' | 'password';

/** Methods the server offers that only a person can answer. */
export function interactiveMethodsOf(methods: readonly string[]): InteractiveKind[] {
  return (['keyboard-interactive', 'password'] as const).filter((m) => methods.includes(m));
}

/** The error for a server that wants a password or code when nobody can type one. */
export function noTerminalError(where: string, methods: readonly InteractiveKind[], tried: readonly string[]): RemoteError {
  const what = methods.includes('keyboard-interactive') ? 'a password or one-time code (keyboard-interactive)' : 'a password';
  return new RemoteError(
    `${where} wants ${what}, but standard input is not a terminal, so hpcbench cannot ask for it${tried.length > 0 ? ` (keys tried first: ${tried.join(', ')})` : ''}`,
    {
      hint:
        'run the command in a terminal to type it, or set up key authentication once ' +
        '(ssh-keygen -t ed25519, then ssh-copy-id, or the centre\'s key upload page) and load the key into ssh-agent',
    },
  );
}

/**
 * A keyboard-interactive method that shows the server's name, instructions and prompts. `onError`
 * receives a prompt failure (Ctrl-C): the answers sent are then empty, and the caller stops.
 */
export function keyboardInteractiveMethod(username: string, ask: SecretPrompt, onError: (error: unknown) => void): KeyboardInteractiveAuthMethod {
  return {
    type: 'keyboard-interactive',
    username,
    prompt: (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: (answers: string[]) => void): void => {
      const answerAll = async (): Promise<string[]> => {
        const answers: string[] = [];
        const header = [name, instructions].map((t) => t.trim()).filter((t) => t !== '').join('\n');
        for (const [index, p] of prompts.entries()) {
          const text = index === 0 && header !== '' ? `${header}\n${p.prompt}` : p.prompt;
          answers.push(await ask(text, { echo: p.echo === true }));
        }
        return answers;
      };
      answerAll().then(finish, (error: unknown) => {
        onError(error);
        finish(prompts.map(() => ''));
      });
    },
  };
}

export async function passwordMethod(username: string, where: string, ask: SecretPrompt): Promise<PasswordAuthMethod> {
  return { type: 'password', username, password: await ask(`${where}'s password: `, { echo: false }) };
}
