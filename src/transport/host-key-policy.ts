/**
 * The decision about a presented host key: read the known_hosts files, judge the key with the pure
 * matcher, pin a first-seen key when asked to (like `StrictHostKeyChecking accept-new`), and turn
 * every refusal into a message that says what happened and what to do.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RemoteError } from '../errors.js';
import { quoteShell } from '../shell-quote.js';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  matchesHostField,
  parseKnownHosts,
  type KnownHostEntry,
  type KnownHostsParseIssue,
} from './known-hosts.js';

export interface HostKeyPolicy {
  /** The user's files, read in order; the first one receives pinned keys. */
  knownHostsFiles: readonly string[];
  /**
   * System-wide files (/etc/ssh/ssh_known_hosts): a key known there is trusted, and a different
   * key of the same type is refused even with acceptNew, as OpenSSH does. Never written; an
   * unreadable one is skipped.
   */
  globalKnownHostsFiles?: readonly string[];
  /** Pin a key seen for the first time instead of refusing it; a changed key is still refused. */
  acceptNew: boolean;
  /** Write pinned names hashed, as `HashKnownHosts yes` does. */
  hashNew?: boolean;
}

export interface LoadedKnownHosts {
  entries: KnownHostEntry[];
  issues: KnownHostsParseIssue[];
}

/** Reads the user's files (an unreadable one is an error) and then the system-wide ones (skipped when unreadable). */
export function loadKnownHosts(files: readonly string[], globalFiles: readonly string[] = []): LoadedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const issues: KnownHostsParseIssue[] = [];
  const read = (file: string, system: boolean): void => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ssh(1) passes over a missing file, and over a system file it may not read.
      if (code === 'ENOENT' || code === 'ENOTDIR' || (system && (code === 'EACCES' || code === 'EISDIR'))) return;
      throw new RemoteError(`cannot read known_hosts file ${file}: ${(error as Error).message}`, { cause: error });
    }
    const parsed = parseKnownHosts(text, file);
    entries.push(...parsed.entries);
    issues.push(...parsed.issues);
  };
  for (const file of files) read(file, false);
  for (const file of globalFiles) if (!files.includes(file)) read(file, true);
  return { entries, issues };
}

/** `ED25519`, `ECDSA`, `RSA`: the names OpenSSH uses in its messages. */
function describeKeyType(type: string | undefined): string {
  if (type === undefined) return 'unknown-type';
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  if (type === 'ssh-dss') return 'DSA';
  return type;
}

export type HostKeyVerdict =
  | { accepted: true; pinnedAt?: { file: string; line: string } }
  | { accepted: false; error: RemoteError };

/**
 * Judge `key` for `name` (see knownHostName). `where` is the user@host:port shown in messages;
 * `host`/`port` are used in suggested commands.
 */
export function verifyHostKey(
  key: Buffer,
  lookup: { name: string; host: string; port: number; where: string },
  policy: HostKeyPolicy,
  known: LoadedKnownHosts = loadKnownHosts(policy.knownHostsFiles, policy.globalKnownHostsFiles),
): HostKeyVerdict {
  const fingerprint = fingerprintSha256(key);
  const keyName = `${describeKeyType(keyTypeOfBlob(key))} key ${fingerprint}`;
  const primary = policy.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
  const check = checkHostKey(known.entries, lookup.name, key);
  switch (check.status) {
    case 'trusted':
      return { accepted: true };
    case 'revoked':
      return {
        accepted: false,
        error: new RemoteError(
          `the host key of ${lookup.where} (${keyName}) is marked @revoked in ${check.entry.file}:${check.entry.line}; connection refused`,
          { hint: 'a revoked key must not be trusted; ask the cluster admins for the current host key' },
        ),
      };
    case 'changed': {
      const lines = check.known.map((e) => `${e.file}:${e.line}`).join(', ');
      return {
        accepted: false,
        error: new RemoteError(
          [
            `WARNING: THE HOST KEY OF ${lookup.where} HAS CHANGED. Someone could be eavesdropping on you right now`,
            `(man-in-the-middle attack), or the host key was just replaced. The server offered ${keyName};`,
            `the key recorded in ${lines} is ${describeKeyType(check.known[0]?.keyType)} key ${fingerprintSha256(check.known[0]?.key ?? Buffer.alloc(0))}.`,
            'Connection refused.',
          ].join('\n'),
          {
            hint: (policy.globalKnownHostsFiles ?? []).includes(check.known[0]?.file ?? '')
              ? `the recorded key comes from the system-wide ${check.known[0]?.file ?? ''}, which only the machine's admins can change: tell them the host key of ${lookup.host} changed`
              : `confirm the new fingerprint with the cluster admins, then remove the old entry with: ssh-keygen -R ${quoteShell(lookup.name)} -f ${quoteShell(check.known[0]?.file ?? primary)}`,
          },
        ),
      };
    }
    case 'unknown': {
      const otherTypes = check.otherTypes.map((e) => `${describeKeyType(e.keyType)} at ${e.file}:${e.line}`);
      if (policy.acceptNew && otherTypes.length === 0) {
        const line = formatKnownHostsLine(lookup.name, key, { hash: policy.hashNew ?? false });
        pinKey(primary, line);
        return { accepted: true, pinnedAt: { file: primary, line } };
      }
      const caNote = hasCertAuthorityFor(known.entries, lookup.name)
        ? ' (known_hosts has @cert-authority entries for it, but host certificates are not supported: record the host key itself)'
        : '';
      const others = otherTypes.length > 0 ? `; keys of other types are already known for it (${otherTypes.join(', ')}), so it is not pinned automatically` : '';
      const portFlag = lookup.port === 22 ? '' : ` -p ${lookup.port}`;
      return {
        accepted: false,
        error: new RemoteError(`the host key of ${lookup.where} is not known: ${keyName}${caNote}${others}; connection refused`, {
          hint:
            `check this fingerprint with the cluster's documentation or admins, then either run once with --accept-new-host-key ` +
            `to record it, or add it yourself: ssh-keyscan${portFlag} ${quoteShell(lookup.host)} >> ${quoteShell(primary)}`,
        }),
      };
    }
  }
}

function hasCertAuthorityFor(entries: readonly KnownHostEntry[], name: string): boolean {
  return entries.some((e) => e.marker === 'cert-authority' && matchesHostField(e.hosts, name));
}

function pinKey(file: string, line: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const existing = readFileSync(file, 'utf8');
      if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
    } catch {
      // a new file
    }
    appendFileSync(file, `${prefix}${line}\n`, { mode: 0o600 });
  } catch (error) {
    throw new RemoteError(`cannot record the host key in ${file}: ${(error as Error).message}`, {
      hint: 'check that the known_hosts file and its directory are writable',
      cause: error,
    });
  }
}
