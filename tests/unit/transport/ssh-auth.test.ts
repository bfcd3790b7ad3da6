import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyAuthMethod } from 'ssh2';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthAttempt, type AuthOptions } from '../../../src/transport/ssh-auth.js';
import type { SshTarget } from '../../../src/transport/ssh-target.js';

let dir: string;
let plainKey: string;
let encryptedKey: string;

function keygen(file: string, passphrase: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'test', '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpcbench-auth-'));
  plainKey = join(dir, 'id_plain');
  encryptedKey = join(dir, 'id_locked');
  keygen(plainKey, '');
  keygen(encryptedKey, 'correct horse');
});

function target(identityFiles: string[], extra: Partial<SshTarget> = {}): SshTarget {
  return {
    alias: 't',
    host: 'h',
    port: 22,
    username: 'alice',
    identityFiles,
    identityFilesExplicit: true,
    identitiesOnly: false,
    proxyJump: [],
    knownHostsFiles: [],
    globalKnownHostsFiles: [],
    ...extra,
  };
}

/** Drain the handler the way ssh2 does: ask for methods until it says `false`. */
async function methodsOf(attempt: AuthAttempt): Promise<Array<AnyAuthMethod | false>> {
  const out: Array<AnyAuthMethod | false> = [];
  for (;;) {
    const next = await new Promise<AnyAuthMethod | false>((resolve) => {
      attempt.handler([], false, (m) => resolve(m as AnyAuthMethod | false));
    });
    out.push(next);
    if (next === false) return out;
  }
}

const noAgent: AuthOptions = { agent: false, interactive: false };

describe('AuthAttempt', () => {
  it('offers the agent first, then each readable key, then gives up', async () => {
    const attempt = new AuthAttempt(target([plainKey]), { agent: '/run/agent.sock', interactive: false });
    const methods = await methodsOf(attempt);
    expect(methods.map((m) => (m === false ? false : m.type))).toEqual(['agent', 'publickey', false]);
    expect(methods[0]).toMatchObject({ type: 'agent', agent: '/run/agent.sock', username: 'alice' });
    expect(attempt.tried).toEqual(['ssh-agent', plainKey]);
  });

  it('with IdentitiesOnly, lets the agent sign only with the IdentityFile keys', async () => {
    const attempt = new AuthAttempt(target([encryptedKey], { identitiesOnly: true }), { agent: '/run/agent.sock', interactive: false });
    const methods = await methodsOf(attempt);
    // The encrypted key's public half comes from its .pub file, so the agent can still use it.
    expect(methods.map((m) => (m === false ? false : m.type))).toEqual(['agent', false]);
    expect(attempt.tried).toEqual(['ssh-agent (IdentityFile keys only)']);
    const none = new AuthAttempt(target([join(dir, 'id_none')], { identitiesOnly: true }), { agent: '/run/agent.sock' });
    expect(await methodsOf(none)).toEqual([false]);
  });

  it('fails clearly on an encrypted key without a TTY', async () => {
    const attempt = new AuthAttempt(target([encryptedKey]), noAgent);
    expect(await methodsOf(attempt)).toEqual([false]);
    const error = attempt.failure('alice@h:22');
    expect(error.message).toBe(`key ${encryptedKey} is encrypted; run with a TTY, or load it into ssh-agent`);
    expect(error.hint).toContain(`ssh-add ${encryptedKey}`);
    expect(error.exitCode).toBe(3);
  });

  it('asks for the passphrase on a TTY, only when the key is reached', async () => {
    const prompts: string[] = [];
    const attempt = new AuthAttempt(target([encryptedKey]), {
      agent: false,
      interactive: true,
      promptPassphrase: async (prompt) => {
        prompts.push(prompt);
        return 'correct horse';
      },
    });
    expect(prompts).toEqual([]);
    const methods = await methodsOf(attempt);
    expect(prompts).toEqual([`Enter passphrase for key '${encryptedKey}': `]);
    expect(methods[0]).toMatchObject({ type: 'publickey', username: 'alice' });
  });

  it('reports a wrong passphrase as such', async () => {
    const attempt = new AuthAttempt(target([encryptedKey]), { agent: false, interactive: true, promptPassphrase: async () => 'wrong' });
    expect(await methodsOf(attempt)).toEqual([false]);
    expect(attempt.failure('alice@h:22').message).toContain(`cannot decrypt key ${encryptedKey}: wrong passphrase`);
  });

  it('lists what was tried and what could not be read', async () => {
    const missing = join(dir, 'id_missing');
    const attempt = new AuthAttempt(target([missing, plainKey, encryptedKey]), noAgent);
    await methodsOf(attempt);
    const error = attempt.failure('alice@h:22');
    expect(error.message).toContain(`authentication to alice@h:22 failed (tried: ${plainKey}`);
    expect(error.message).toContain(`skipped encrypted keys (no TTY): ${encryptedKey}`);
    expect(error.message).toContain(`unreadable: ${missing}`);
  });

  it('does not complain about default key files that do not exist', async () => {
    const attempt = new AuthAttempt(target([join(dir, 'id_rsa')], { identityFilesExplicit: false }), noAgent);
    expect(await methodsOf(attempt)).toEqual([false]);
    expect(attempt.failure('alice@h:22').message).toBe(
      'authentication to alice@h:22 failed (tried: nothing (no agent, no readable key))',
    );
  });
});
