import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../../src/errors.js';
import { loadKnownHosts, verifyHostKey, type HostKeyVerdict } from '../../../src/transport/host-key-policy.js';
import { fingerprintSha256, parseKnownHosts } from '../../../src/transport/known-hosts.js';
import { ed25519Blob, sshString } from './support/ssh-keys.js';

const lookup = { name: '[127.0.0.1]:2222', host: '127.0.0.1', port: 2222, where: 'hpcb@127.0.0.1:2222' };

function refusal(verdict: HostKeyVerdict): RemoteError {
  if (verdict.accepted) throw new Error('expected a refusal');
  return verdict.error;
}

function tempFile(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-kh-')), 'known_hosts');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

describe('verifyHostKey', () => {
  const server = ed25519Blob();
  const other = ed25519Blob();

  it('accepts a recorded key', () => {
    const file = tempFile(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\n`);
    expect(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: false })).toEqual({ accepted: true });
  });

  it('refuses an unknown key with its fingerprint and both ways forward', () => {
    const file = tempFile();
    const error = refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: false }));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `the host key of hpcb@127.0.0.1:2222 is not known: ED25519 key ${fingerprintSha256(server)}; connection refused`,
    );
    expect(error.hint).toContain('--accept-new-host-key');
    expect(error.hint).toContain(`ssh-keyscan -p 2222 127.0.0.1 >> ${file}`);
  });

  it('trusts a key known only system-wide, and never writes to the system-wide file', () => {
    const user = tempFile();
    const system = tempFile(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\n`);
    const before = readFileSync(system, 'utf8');
    expect(verifyHostKey(server, lookup, { knownHostsFiles: [user], globalKnownHostsFiles: [system], acceptNew: true })).toEqual({ accepted: true });
    expect(readFileSync(system, 'utf8')).toBe(before);
    expect(() => readFileSync(user)).toThrow(/ENOENT/);
  });

  it('refuses, even with acceptNew, a key that differs from the one known system-wide, and pins nothing', () => {
    const user = tempFile();
    const system = tempFile(`${lookup.name} ssh-ed25519 ${other.toString('base64')}\n`);
    const error = refusal(verifyHostKey(server, lookup, { knownHostsFiles: [user], globalKnownHostsFiles: [system], acceptNew: true }));
    expect(error.message).toContain('HAS CHANGED');
    expect(error.message).toContain(`${system}:1`);
    expect(error.hint).toContain('only the machine\'s admins can change');
    expect(() => readFileSync(user)).toThrow(/ENOENT/);
  });

  it('pins a new key to the user\'s file when the system-wide file does not know the host', () => {
    const user = tempFile();
    const system = tempFile(`elsewhere.example.org ssh-ed25519 ${other.toString('base64')}\n`);
    const verdict = verifyHostKey(server, lookup, { knownHostsFiles: [user], globalKnownHostsFiles: [system], acceptNew: true });
    expect(verdict).toMatchObject({ accepted: true, pinnedAt: { file: user } });
    expect(readFileSync(system, 'utf8')).not.toContain(server.toString('base64'));
  });

  it('passes over a system-wide file that is missing or is a directory, but not over an unreadable user file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-kh-'));
    const user = tempFile(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\n`);
    expect(loadKnownHosts([user], [join(dir, 'missing'), dir]).entries).toHaveLength(1);
    expect(() => loadKnownHosts([dir])).toThrow(/cannot read known_hosts file/);
  });

  it('pins an unknown key with acceptNew, creating the file and directory', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-kh-')), 'sub', 'known_hosts');
    const verdict = verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true });
    expect(verdict).toMatchObject({ accepted: true, pinnedAt: { file } });
    expect(readFileSync(file, 'utf8')).toBe(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Pinned means known: a second check passes without writing again.
    expect(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true })).toEqual({ accepted: true });
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('appends after a last line without newline, and can hash the name', () => {
    const file = tempFile(`other.example.org ssh-ed25519 ${other.toString('base64')}`);
    verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true, hashNew: true });
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]?.startsWith('|1|')).toBe(true);
    const { entries, issues } = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(issues).toEqual([]);
    expect(entries).toHaveLength(2);
  });

  it('refuses a changed key loudly, naming file and line, even with acceptNew', () => {
    const file = tempFile(`# header\n\n${lookup.name} ssh-ed25519 ${other.toString('base64')}\n`);
    const before = readFileSync(file, 'utf8');
    const error = refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true }));
    expect(error.message).toContain('HAS CHANGED');
    expect(error.message).toContain('man-in-the-middle');
    expect(error.message).toContain(`${file}:3`);
    expect(error.message).toContain(fingerprintSha256(server));
    expect(error.message).toContain(fingerprintSha256(other));
    expect(error.hint).toContain(`ssh-keygen -R '${lookup.name}' -f ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a revoked key', () => {
    const file = tempFile(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\n@revoked * ssh-ed25519 ${server.toString('base64')}\n`);
    expect(refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true })).message).toContain(
      `marked @revoked in ${file}:2`,
    );
  });

  it('does not pin a new key type when other types are known for the host', () => {
    const ecdsa = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString(createHash('sha256').update('k').digest())]);
    const file = tempFile(`${lookup.name} ecdsa-sha2-nistp256 ${ecdsa.toString('base64')}\n`);
    const error = refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true }));
    expect(error.message).toContain(`keys of other types are already known for it (ECDSA at ${file}:1)`);
  });

  it('notes @cert-authority entries that cannot be used', () => {
    const file = tempFile(`@cert-authority [127.0.0.1]:* ssh-ed25519 ${other.toString('base64')}\n`);
    expect(refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: false })).message).toContain(
      'host certificates are not supported',
    );
  });

  it('reads every file given, skipping missing ones', () => {
    const a = tempFile(`x ssh-ed25519 ${other.toString('base64')}\n`);
    const b = tempFile(`${lookup.name} ssh-ed25519 ${server.toString('base64')}\nbad line\n`);
    const loaded = loadKnownHosts([join(tmpdir(), 'no-such-known-hosts'), a, b]);
    expect(loaded.entries.map((e) => e.file)).toEqual([a, b]);
    expect(loaded.issues).toEqual([expect.objectContaining({ file: b, line: 2 })]);
    expect(verifyHostKey(server, lookup, { knownHostsFiles: [a, b], acceptNew: false }).accepted).toBe(true);
  });
});

describe('key type names in refusals', () => {
  it('uses the names OpenSSH prints, for the key offered and the keys already known', () => {
    const blob = (type: string): Buffer => Buffer.concat([sshString(type), sshString(createHash('sha256').update(type).digest())]);
    const known = ['ecdsa-sha2-nistp384', 'ssh-rsa', 'ssh-dss', 'sk-ssh-ed25519@openssh.com'];
    const file = tempFile(known.map((type) => `${lookup.name} ${type} ${blob(type).toString('base64')}\n`).join(''));
    const server = ed25519Blob();
    const error = refusal(verifyHostKey(server, lookup, { knownHostsFiles: [file], acceptNew: true }));
    expect(error.message).toContain(`is not known: ED25519 key ${fingerprintSha256(server)}`);
    expect(error.message).toContain(
      `(ECDSA at ${file}:1, RSA at ${file}:2, DSA at ${file}:3, sk-ssh-ed25519@openssh.com at ${file}:4)`,
    );
    // A blob whose type cannot be read.
    const garbage = Buffer.alloc(2);
    expect(refusal(verifyHostKey(garbage, lookup, { knownHostsFiles: [tempFile()], acceptNew: false })).message).toContain(
      `is not known: unknown-type key ${fingerprintSha256(garbage)}`,
    );
  });
});
