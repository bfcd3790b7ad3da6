/**
 * Client authentication in OpenSSH's order: the agent first, then each key file, then (only when
 * a person can answer) keyboard-interactive and password. Key files are read lazily, so an
 * encrypted key only asks for its passphrase when the agent did not get in, and a password is only
 * asked for when no key got in and the server still offers it.
 */
import { readFileSync } from 'node:fs';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';
import { RemoteError } from '../errors.js';
import { IdentityFilteredAgent, readIdentityBlobs } from './identity-agent.js';
import {
  interactiveMethodsOf,
  keyboardInteractiveMethod,
  noTerminalError,
  PASSWORD_PROMPTS,
  passwordMethod,
  type SecretPrompt,
} from './ssh-auth-prompt.js';
import type { SshTarget } from './ssh-target.js';

type PassphrasePrompt = (prompt: string) => Promise<string>;

export interface AuthOptions {
  /** ssh-agent socket; default SSH_AUTH_SOCK; false disables the agent. */
  agent?: string | false;
  /** Asked for the passphrase of an encrypted key; only used when `interactive` is true. */
  promptPassphrase?: PassphrasePrompt;
  /**
   * Asked for a password or the server's keyboard-interactive prompts (one-time codes); only used
   * when `interactive` is true. Defaults to `promptPassphrase` (the same no-echo terminal read).
   */
  promptSecret?: SecretPrompt;
  /** Whether a person can answer a prompt (stdin is a TTY). */
  interactive?: boolean;
}

type MethodKind = 'publickey' | 'keyboard-interactive' | 'password';

interface QueuedMethod {
  /** The server's name for the method, to skip what it no longer offers. */
  kind: MethodKind;
  /** The agent methods are ready at once; a key file or a prompt is awaited. */
  run: () => AnyAuthMethod | undefined | Promise<AnyAuthMethod | undefined>;
}

/** What one connection attempt tried, so a failure can say exactly why. */
export class AuthAttempt {
  readonly tried: string[] = [];
  readonly encryptedSkipped: string[] = [];
  readonly unreadable: string[] = [];
  private readonly queue: QueuedMethod[] = [];
  /** What the server said it still accepts, after the last refusal (empty before the first). */
  private serverMethods: readonly string[] = [];
  private askedServer = false;
  private readonly username: string;

  constructor(target: SshTarget, options: AuthOptions) {
    const username = target.username;
    this.username = username;
    const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
    const push = (kind: MethodKind, run: QueuedMethod['run']): void => {
      this.queue.push({ kind, run });
    };
    if (agent && !target.identitiesOnly) {
      push('publickey', () => {
        this.tried.push('ssh-agent');
        return { type: 'agent', username, agent };
      });
    } else if (agent) {
      push('publickey', () => {
        const allowed = readIdentityBlobs(target.identityFiles);
        if (allowed.length === 0) return undefined;
        this.tried.push('ssh-agent (IdentityFile keys only)');
        return { type: 'agent', username, agent: new IdentityFilteredAgent(agent, allowed) };
      });
    }
    for (const file of target.identityFiles) {
      push('publickey', () => this.loadKey(file, target, options));
    }
    const ask = options.promptSecret ?? options.promptPassphrase;
    if (options.interactive && ask) {
      const where = `${username}@${target.host}`;
      for (let i = 0; i < PASSWORD_PROMPTS; i += 1) {
        push('keyboard-interactive', () => {
          this.tried.push('keyboard-interactive');
          return keyboardInteractiveMethod(username, ask, (error) => this.stop(error));
        });
      }
      for (let i = 0; i < PASSWORD_PROMPTS; i += 1) {
        push('password', async () => {
          this.tried.push('password');
          return passwordMethod(username, where, ask);
        });
      }
    }
  }

  /** A prompt was interrupted: nothing more is tried, and that error is the one reported. */
  private stop(error: unknown): void {
    this.fatal ??= error instanceof RemoteError ? error : new RemoteError(`authentication interrupted: ${(error as Error).message}`, { cause: error });
    this.queue.length = 0;
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
  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partialSuccess, next) => {
    // ssh2 passes null before the first refusal: everything may still be offered then.
    const listed = methodsLeft as readonly string[] | null;
    const offered = listed !== null && listed.length > 0 ? listed : undefined;
    if (offered) this.serverMethods = offered;
    const advance = async (): Promise<void> => {
      for (;;) {
        const step = this.queue.shift();
        if (!step) {
          // Nothing was offered yet: one `none` request learns what the server wants, so the
          // failure can say it wants a password rather than "tried nothing".
          if (listed === null && !this.askedServer && this.fatal === undefined) {
            this.askedServer = true;
            next({ type: 'none', username: this.username });
            return;
          }
          next(false as unknown as AnyAuthMethod);
          return;
        }
        if (step.kind !== 'publickey' && !offered) {
          // Nobody is asked for a password the server may not take: a `none` request first
          // makes it list what it accepts, as OpenSSH does.
          if (this.askedServer) continue;
          this.askedServer = true;
          this.queue.unshift(step);
          next({ type: 'none', username: this.username });
          return;
        }
        if (offered && !offered.includes(step.kind)) continue;
        const method = await step.run();
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
    const interactive = interactiveMethodsOf(this.serverMethods);
    const typed = this.tried.filter((t) => t === 'password' || t === 'keyboard-interactive');
    if (typed.length > 0) {
      return new RemoteError(`authentication to ${where} failed: the password or code was refused ${typed.length} time(s) (tried: ${[...new Set(this.tried)].join(', ')})`, {
        hint: 'check the user name (ssh.user or the cluster\'s user: in hpcbench.yaml) and the password or one-time code; the centre may lock the account after repeated failures',
      });
    }
    if (this.encryptedSkipped.length > 0 && this.tried.length === 0) {
      const key = this.encryptedSkipped[0] ?? '';
      return new RemoteError(`key ${key} is encrypted; run with a TTY, or load it into ssh-agent`, {
        hint: `start an agent and add the key once: eval "$(ssh-agent)" && ssh-add ${key}`,
      });
    }
    // Reached only when nobody could be asked: with a terminal these methods were tried above.
    if (interactive.length > 0 && (this.tried.length === 0 || !this.serverMethods.includes('publickey'))) {
      return noTerminalError(where, interactive, this.tried);
    }
    const parts = [`tried: ${this.tried.length > 0 ? this.tried.join(', ') : 'nothing (no agent, no readable key)'}`];
    if (interactive.length > 0) parts.push(`the server also accepts ${interactive.join(' and ')}, which needs a terminal to type into`);
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
