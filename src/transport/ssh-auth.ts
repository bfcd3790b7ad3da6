/**
 * Client authentication in OpenSSH's order: the agent first, then each key file. Key files are
 * read lazily, so an encrypted key only asks for its passphrase when the agent did not get in.
 */
import { readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';
import { RemoteError } from '../errors.js';
import { IdentityFilteredAgent, readIdentityBlobs } from './identity-agent.js';
import type { SshTarget } from './ssh-target.js';

export type PassphrasePrompt = (prompt: string) => Promise<string>;

export interface AuthOptions {
  /** ssh-agent socket; default SSH_AUTH_SOCK; false disables the agent. */
  agent?: string | false;
  /** Asked for the passphrase of an encrypted key; only used when `interactive` is true. */
  promptPassphrase?: PassphrasePrompt;
  /** Whether a person can answer a prompt (stdin is a TTY). */
  interactive?: boolean;
}

/** What one connection attempt tried, so a failure can say exactly why. */
export class AuthAttempt {
  readonly tried: string[] = [];
  readonly encryptedSkipped: string[] = [];
  readonly unreadable: string[] = [];
  private readonly queue: Array<() => Promise<AnyAuthMethod | undefined>> = [];

  constructor(target: SshTarget, options: AuthOptions) {
    const username = target.username;
    const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
    if (agent && !target.identitiesOnly) {
      this.queue.push(async () => {
        this.tried.push('ssh-agent');
        return { type: 'agent', username, agent };
      });
    } else if (agent) {
      this.queue.push(async () => {
        const allowed = readIdentityBlobs(target.identityFiles);
        if (allowed.length === 0) return undefined;
        this.tried.push('ssh-agent (IdentityFile keys only)');
        return { type: 'agent', username, agent: new IdentityFilteredAgent(agent, allowed) };
      });
    }
    for (const file of target.identityFiles) {
      this.queue.push(() => this.loadKey(file, target, options));
    }
  }

  private async loadKey(file: string, target: SshTarget, options: AuthOptions): Promise<AnyAuthMethod | undefined> {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (error) {
      // Default key names that do not exist are normal; configured ones are worth reporting.
      if (target.identityFilesExplicit || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.unreadable.push(`${file} (${(error as Error).message})`);
      }
      return undefined;
    }
    let parsed = parseKeyOnce(data, undefined);
    if (parsed instanceof Error && isEncryptedKeyError(parsed)) {
      if (!options.interactive || !options.promptPassphrase) {
        this.encryptedSkipped.push(file);
        return undefined;
      }
      const passphrase = await options.promptPassphrase(`Enter passphrase for key '${file}': `);
      parsed = parseKeyOnce(data, passphrase);
      if (parsed instanceof Error) {
        throw new RemoteError(`cannot decrypt key ${file}: wrong passphrase or unsupported key (${parsed.message})`, {
          hint: `check the passphrase with: ssh-keygen -y -f ${file}`,
        });
      }
    }
    if (parsed instanceof Error) {
      this.unreadable.push(`${file} (${parsed.message})`);
      return undefined;
    }
    this.tried.push(file);
    return { type: 'publickey', username: target.username, key: parsed };
  }

  /** ssh2 authHandler: hands out the next method, reading keys only when needed. */
  readonly handler: AuthHandlerMiddleware = (_methodsLeft, _partialSuccess, next) => {
    const advance = async (): Promise<void> => {
      for (;;) {
        const step = this.queue.shift();
        if (!step) {
          next(false as unknown as AnyAuthMethod);
          return;
        }
        const method = await step();
        if (method) {
          next(method);
          return;
        }
      }
    };
    advance().catch((error: unknown) => {
      this.fatal = error;
      next(false as unknown as AnyAuthMethod);
    });
  };

  /** An error raised while preparing a method (a wrong passphrase); it wins over the generic failure. */
  fatal: unknown;

  /** The error to report once the server accepted none of the methods. */
  failure(where: string): RemoteError {
    if (this.fatal instanceof RemoteError) return this.fatal;
    if (this.encryptedSkipped.length > 0 && this.tried.length === 0) {
      const key = this.encryptedSkipped[0] ?? '';
      return new RemoteError(`key ${key} is encrypted; run with a TTY, or load it into ssh-agent`, {
        hint: `start an agent and add the key once: eval "$(ssh-agent)" && ssh-add ${key}`,
      });
    }
    const parts = [`tried: ${this.tried.length > 0 ? this.tried.join(', ') : 'nothing (no agent, no readable key)'}`];
    if (this.encryptedSkipped.length > 0) parts.push(`skipped encrypted keys (no TTY): ${this.encryptedSkipped.join(', ')}`);
    if (this.unreadable.length > 0) parts.push(`unreadable: ${this.unreadable.join('; ')}`);
    return new RemoteError(`authentication to ${where} failed (${parts.join('; ')})`, {
      hint:
        this.encryptedSkipped.length > 0
          ? 'run with a TTY to type the passphrase, or load the key into ssh-agent (ssh-add)'
          : 'check the user name and IdentityFile in ~/.ssh/config, and that your public key is in ~/.ssh/authorized_keys on the cluster',
    });
  }
}

// ssh2 is CommonJS; Node's ESM loader only sees some of its exports by name, and not `utils`.
const { utils } = ssh2;

function parseKeyOnce(data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  const parsed = passphrase === undefined ? utils.parseKey(data) : utils.parseKey(data, passphrase);
  // Some formats hold several keys; the first private one is what ssh would use.
  const single: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (single === undefined) return new Error('no key found in file');
  return single as ParsedKey | Error;
}

function isEncryptedKeyError(error: Error): boolean {
  return /encrypt|passphrase/i.test(error.message);
}
