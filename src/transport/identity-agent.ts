/**
 * IdentitiesOnly with an agent, as OpenSSH does it: the agent may sign, but only with the keys
 * named by IdentityFile. This keeps an encrypted key usable without a TTY once it is loaded into
 * ssh-agent, without offering every other agent key (and hitting the server's MaxAuthTries).
 */
import { readFileSync } from 'node:fs';
import ssh2, { type BaseAgent, type IdentityCallback, type ParsedKey, type SignCallback, type SigningRequestOptions } from 'ssh2';

// ssh2 is CommonJS; take the values from its default export (see ssh-auth.ts).
const { BaseAgent: BaseAgentClass, createAgent, utils } = ssh2;

function publicBlob(key: unknown): Buffer | undefined {
  const parsed = utils.parseKey(key as Buffer);
  const single: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (single === undefined || single instanceof Error) return undefined;
  return (single as ParsedKey).getPublicSSH();
}

/** Public key blobs of identity files: from `<file>.pub`, else from an unencrypted private key. */
export function readIdentityBlobs(files: readonly string[]): Buffer[] {
  const blobs: Buffer[] = [];
  for (const file of files) {
    for (const candidate of [`${file}.pub`, file]) {
      let data: Buffer;
      try {
        data = readFileSync(candidate);
      } catch {
        continue;
      }
      const blob = publicBlob(data);
      if (blob) {
        blobs.push(blob);
        break;
      }
    }
  }
  return blobs;
}

export class IdentityFilteredAgent extends BaseAgentClass<ParsedKey> {
  private readonly inner: BaseAgent;

  constructor(
    socketPath: string,
    private readonly allowed: readonly Buffer[],
  ) {
    super();
    this.inner = createAgent(socketPath);
  }

  getIdentities(cb: IdentityCallback<ParsedKey>): void {
    this.inner.getIdentities((error, keys) => {
      if (error || !keys) {
        cb(error ?? new Error('the agent returned no identities'));
        return;
      }
      const kept = (keys as unknown[]).filter((k) => {
        const blob = publicBlob(k);
        return blob !== undefined && this.allowed.some((a) => a.equals(blob));
      });
      cb(undefined, kept as ParsedKey[]);
    });
  }

  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions, cb?: SignCallback): void;
  sign(pubKey: ParsedKey, data: Buffer, cb: SignCallback): void;
  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    if (typeof options === 'function') this.inner.sign(pubKey, data, options);
    else this.inner.sign(pubKey, data, options, cb);
  }
}
