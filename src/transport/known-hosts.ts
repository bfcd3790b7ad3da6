/**
 * known_hosts parsing and matching as pure functions, following sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT": markers, comma-separated host patterns with `*`, `?` and `!`, `[host]:port` for
 * non-default ports, and hashed names (`|1|salt|hash`, HMAC-SHA1 of the name keyed by the salt).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

type KnownHostMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number, for messages that send the user to the line. */
  line: number;
  marker?: KnownHostMarker;
  /** The host field as written: a pattern list, or one hashed name. */
  hosts: string;
  /** Key type as read from the key blob (the text field can lie). */
  keyType: string;
  key: Buffer;
}

export interface KnownHostsParseIssue {
  file: string;
  line: number;
  message: string;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines that cannot be used; OpenSSH ignores them too, but the user may want to know. */
  issues: KnownHostsParseIssue[];
}

/** The name OpenSSH looks up: the bare host for port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** The key type inside an SSH wire-format public key blob (a length-prefixed string first). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[\w@.-]+$/.test(type) ? type : undefined;
}

/** `SHA256:<base64 without padding>` of the key blob, as `ssh-keygen -lf` and ssh print it. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function parseKnownHosts(text: string, file: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const issues: KnownHostsParseIssue[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostMarker | undefined;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else {
        issues.push({ file, line, message: `unknown marker ${name ?? ''}; expected @revoked or @cert-authority` });
        return;
      }
    }
    const [hosts, textType, base64] = fields;
    if (hosts === undefined || textType === undefined || base64 === undefined) {
      issues.push({ file, line, message: 'expected "[marker] hosts key-type base64-key [comment]"' });
      return;
    }
    const key = Buffer.from(base64, 'base64');
    const keyType = keyTypeOfBlob(key);
    if (keyType === undefined || key.toString('base64').replace(/=+$/, '') !== base64.replace(/=+$/, '')) {
      issues.push({ file, line, message: `the key field is not a base64 SSH public key (type ${textType})` });
      return;
    }
    const entry: KnownHostEntry = { file, line, hosts, keyType, key };
    if (marker) entry.marker = marker;
    entries.push(entry);
  });
  return { entries, issues };
}

/** OpenSSH glob: `*` any run of characters, `?` exactly one; everything else literal. */
export function matchGlob(pattern: string, text: string): boolean {
  // Iterative matcher with backtracking on the last `*`, linear in practice and no regex escaping.
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === text[t])) {
      p += 1;
      t += 1;
    } else if (pc === '*') {
      star = p;
      mark = t;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      mark += 1;
      t = mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** HMAC-SHA1 name hashing as in `HashKnownHosts yes`, with a fresh random salt. */
function hashHostName(name: string): string {
  const salt = randomBytes(20);
  const digest = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${digest.toString('base64')}`;
}

function matchHashed(field: string, name: string): boolean {
  const parts = field.split('|');
  // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || parts[2] === undefined || parts[3] === undefined) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Whether a host field matches the looked-up name (see {@link knownHostName}). A negated pattern
 * that matches rejects the line even when another pattern matches.
 */
export function matchesHostField(field: string, name: string): boolean {
  const lowerName = name.toLowerCase();
  if (field.startsWith('|')) return matchHashed(field, lowerName);
  let matched = false;
  for (const pattern of field.toLowerCase().split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (matchGlob(pattern.slice(1), lowerName)) return false;
    } else if (matchGlob(pattern, lowerName)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyCheck =
  | { status: 'trusted'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** A key of the same type is known for this host and it is a different one. */
  | { status: 'changed'; known: KnownHostEntry[] }
  /** Nothing known for this key type; `otherTypes` lists entries of other types for the host. */
  | { status: 'unknown'; otherTypes: KnownHostEntry[] };

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  // A revoked key is refused for every host, wherever it appears.
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const type = keyTypeOfBlob(key);
  const forHost = entries.filter((e) => e.marker === undefined && matchesHostField(e.hosts, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { status: 'trusted', entry: same };
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { status: 'changed', known: sameType };
  return { status: 'unknown', otherTypes: forHost };
}

/** Key types known for a host, to offer them first when negotiating (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = new Set<string>();
  for (const e of entries) {
    if (e.marker === undefined && matchesHostField(e.hosts, name)) types.add(e.keyType);
  }
  return [...types];
}

/** One known_hosts line for a key, hashed or not, as `ssh` with accept-new would append it. */
export function formatKnownHostsLine(name: string, key: Buffer, options: { hash?: boolean } = {}): string {
  const type = keyTypeOfBlob(key) ?? 'unknown';
  const host = options.hash ? hashHostName(name) : name;
  return `${host} ${type} ${key.toString('base64')}`;
}
