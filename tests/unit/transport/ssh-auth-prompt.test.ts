// Password and keyboard-interactive authentication, driven through the ssh2 authHandler the way
// ssh2 calls it: null before the first refusal, then the methods the server still accepts.
import type { AnyAuthMethod, AuthenticationType } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../../src/errors.js';
import { AuthAttempt } from '../../../src/transport/ssh-auth.js';
import type { SecretPrompt } from '../../../src/transport/ssh-auth-prompt.js';
import type { SshTarget } from '../../../src/transport/ssh-target.js';

const target: SshTarget = {
  alias: 't',
  host: 'login.example.org',
  port: 22,
  username: 'alice',
  identityFiles: [],
  identityFilesExplicit: false,
  identitiesOnly: false,
  proxyJump: [],
  knownHostsFiles: [],
  globalKnownHostsFiles: [],
};

/** Answers from a list and records each question, as a person at a terminal would. */
function scripted(answers: string[]): { ask: SecretPrompt; asked: Array<{ prompt: string; echo: boolean }> } {
  const asked: Array<{ prompt: string; echo: boolean }> = [];
  const ask: SecretPrompt = async (prompt, options) => {
    asked.push({ prompt, echo: options?.echo === true });
    const answer = answers.shift();
    if (answer === undefined) throw new RemoteError('passphrase entry interrupted');
    return answer;
  };
  return { ask, asked };
}

function nextMethod(attempt: AuthAttempt, methodsLeft: AuthenticationType[] | null): Promise<AnyAuthMethod | false> {
  return new Promise((resolve) => {
    attempt.handler(methodsLeft as AuthenticationType[], false, (m) => resolve(m as AnyAuthMethod | false));
  });
}

function answerKeyboard(method: AnyAuthMethod | false, name: string, instructions: string, prompts: Array<{ prompt: string; echo?: boolean }>): Promise<string[]> {
  if (method === false || method.type !== 'keyboard-interactive') throw new Error(`expected keyboard-interactive, got ${JSON.stringify(method)}`);
  return new Promise((resolve) => method.prompt(name, instructions, '', prompts, resolve));
}

describe('password and keyboard-interactive authentication', () => {
  it('asks the server first (none), then shows its keyboard-interactive prompts and sends the answers', async () => {
    const { ask, asked } = scripted(['123456', 's3cret']);
    const attempt = new AuthAttempt(target, { agent: false, interactive: true, promptSecret: ask });
    expect(await nextMethod(attempt, null)).toEqual({ type: 'none', username: 'alice' });
    expect(asked).toEqual([]);
    const method = await nextMethod(attempt, ['keyboard-interactive']);
    const answers = await answerKeyboard(method, 'LNCC', 'Two factors needed.', [
      { prompt: 'Verification code: ', echo: false },
      { prompt: 'Password: ', echo: false },
    ]);
    expect(answers).toEqual(['123456', 's3cret']);
    expect(asked).toEqual([
      { prompt: 'LNCC\nTwo factors needed.\nVerification code: ', echo: false },
      { prompt: 'Password: ', echo: false },
    ]);
    expect(JSON.stringify(attempt)).not.toContain('s3cret');
  });

  it('asks for a password after the keys, only while the server offers it, up to three times', async () => {
    const { ask, asked } = scripted(['wrong', 'wrong again', 'still wrong']);
    const attempt = new AuthAttempt(target, { agent: false, interactive: true, promptSecret: ask });
    expect(await nextMethod(attempt, null)).toMatchObject({ type: 'none' });
    for (let i = 0; i < 3; i += 1) {
      expect(await nextMethod(attempt, ['publickey', 'password'])).toEqual({ type: 'password', username: 'alice', password: asked.length === 1 ? 'wrong' : asked.length === 2 ? 'wrong again' : 'still wrong' });
    }
    expect(await nextMethod(attempt, ['publickey', 'password'])).toBe(false);
    expect(asked.map((a) => a.prompt)).toEqual(Array(3).fill("alice@login.example.org's password: "));
    const error = attempt.failure('alice@login.example.org:22');
    expect(error.message).toMatch(/password or code was refused 3 time\(s\)/);
    expect(error.message).not.toMatch(/wrong/);
  });

  it('never asks when the server takes keys only', async () => {
    const { ask, asked } = scripted(['unused']);
    const attempt = new AuthAttempt(target, { agent: false, interactive: true, promptSecret: ask });
    expect(await nextMethod(attempt, null)).toMatchObject({ type: 'none' });
    expect(await nextMethod(attempt, ['publickey'])).toBe(false);
    expect(asked).toEqual([]);
  });

  it('stops at an interrupted prompt and reports it', async () => {
    const { ask } = scripted([]);
    const attempt = new AuthAttempt(target, { agent: false, interactive: true, promptSecret: ask });
    await nextMethod(attempt, null);
    const method = await nextMethod(attempt, ['keyboard-interactive', 'password']);
    expect(await answerKeyboard(method, '', '', [{ prompt: 'Password: ' }])).toEqual(['']);
    expect(await nextMethod(attempt, ['keyboard-interactive', 'password'])).toBe(false);
    expect(attempt.failure('alice@login.example.org:22').message).toBe('passphrase entry interrupted');
  });

  it('without a terminal, says the server wants a password or code and how to proceed', async () => {
    const { ask, asked } = scripted(['never']);
    const attempt = new AuthAttempt(target, { agent: false, interactive: false, promptSecret: ask });
    // No key to offer: a `none` request learns what the server accepts.
    expect(await nextMethod(attempt, null)).toEqual({ type: 'none', username: 'alice' });
    expect(await nextMethod(attempt, ['keyboard-interactive', 'password'])).toBe(false);
    const error = attempt.failure('alice@login.example.org:22');
    expect(error.message).toBe(
      'alice@login.example.org:22 wants a password or one-time code (keyboard-interactive), but standard input is not a terminal, so hpcbench cannot ask for it',
    );
    expect(error.hint).toMatch(/run the command in a terminal.*or set up key authentication/);
    expect(asked).toEqual([]);
  });

  it('without a terminal and with keys refused, names the keys and the password it could not ask for', async () => {
    const attempt = new AuthAttempt(target, { agent: '/run/agent.sock', interactive: false });
    expect(await nextMethod(attempt, null)).toMatchObject({ type: 'agent' });
    expect(await nextMethod(attempt, ['publickey', 'password'])).toBe(false);
    const error = attempt.failure('alice@login.example.org:22');
    expect(error.message).toMatch(/tried: ssh-agent; the server also accepts password, which needs a terminal/);
  });
});
