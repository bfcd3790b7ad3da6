import { createHash, createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownHostName,
  knownKeyTypes,
  matchesHostField,
  matchGlob,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';
import { ed25519Blob, sshString } from './support/ssh-keys.js';

/** A syntactically valid blob of another type; its content does not matter to the matcher. */
function fakeBlob(type: string, seed: string): Buffer {
  return Buffer.concat([sshString(type), sshString(createHash('sha256').update(seed).digest())]);
}

/** Salted name hash written independently of the code under test. */
function hashedField(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const b64 = (blob: Buffer): string => blob.toString('base64');

describe('matchGlob', () => {
  it('treats * as any run, ? as exactly one character, the rest literally', () => {
    expect(matchGlob('*.example.org', 'login.example.org')).toBe(true);
    expect(matchGlob('*.example.org', 'example.org')).toBe(false);
    expect(matchGlob('node??', 'node01')).toBe(true);
    expect(matchGlob('node??', 'node1')).toBe(false);
    expect(matchGlob('node??', 'node001')).toBe(false);
    expect(matchGlob('[login.*]:2222', '[login.a]:2222')).toBe(true);
    expect(matchGlob('a.b', 'axb')).toBe(false);
    expect(matchGlob('*a*b*', 'xxaxxbxx')).toBe(true);
    expect(matchGlob('*', '')).toBe(true);
    expect(matchGlob('', 'x')).toBe(false);
  });
});

describe('knownHostName', () => {
  it('uses the bare name on port 22 and [host]:port elsewhere, lower-cased', () => {
    expect(knownHostName('Login.Example.ORG', 22)).toBe('login.example.org');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });
});

describe('matchesHostField', () => {
  it('matches any of several comma-separated patterns, case-insensitively', () => {
    expect(matchesHostField('login1,LOGIN2.example.org,10.0.0.5', 'login2.example.org')).toBe(true);
    expect(matchesHostField('login1,login2', 'login3')).toBe(false);
  });

  it('lets a matching negation reject the line whatever else matches', () => {
    expect(matchesHostField('*.example.org,!evil.example.org', 'good.example.org')).toBe(true);
    expect(matchesHostField('*.example.org,!evil.example.org', 'evil.example.org')).toBe(false);
    // A negation alone never matches anything.
    expect(matchesHostField('!evil.example.org', 'good.example.org')).toBe(false);
  });

  it('keeps ports apart: [host]:port does not match the host on 22, and back', () => {
    expect(matchesHostField('[login.example.org]:2222', '[login.example.org]:2222')).toBe(true);
    expect(matchesHostField('[login.example.org]:2222', 'login.example.org')).toBe(false);
    expect(matchesHostField('login.example.org', '[login.example.org]:2222')).toBe(false);
    expect(matchesHostField('[*.example.org]:*', '[a.example.org]:2200')).toBe(true);
  });

  it('matches hashed entries by HMAC-SHA1 of the name with the salt', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    expect(matchesHostField(hashedField('login.example.org', salt), 'login.example.org')).toBe(true);
    expect(matchesHostField(hashedField('login.example.org', salt), 'LOGIN.example.org')).toBe(true);
    expect(matchesHostField(hashedField('login.example.org', salt), 'other.example.org')).toBe(false);
    expect(matchesHostField(hashedField('[127.0.0.1]:2222', salt), '[127.0.0.1]:2222')).toBe(true);
    expect(matchesHostField(hashedField('[127.0.0.1]:2222', salt), '127.0.0.1')).toBe(false);
    expect(matchesHostField('|1|broken', 'x')).toBe(false);
  });

  it('writes pinned names hashed when asked, with hashes that match and differ per salt', () => {
    const hostField = (): string => formatKnownHostsLine('login.example.org', ed25519Blob(), { hash: true }).split(' ')[0] ?? '';
    const a = hostField();
    const b = hostField();
    expect(a.startsWith('|1|')).toBe(true);
    expect(a).not.toBe(b);
    expect(matchesHostField(a, 'login.example.org')).toBe(true);
    expect(a).toBe(hashedField('login.example.org', Buffer.from(a.split('|')[2] ?? '', 'base64')));
  });
});

describe('fingerprintSha256 and keyTypeOfBlob', () => {
  it('prints SHA256:<base64 without padding>, as ssh-keygen -lf does', () => {
    const blob = ed25519Blob();
    const fp = fingerprintSha256(blob);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-fp-'));
    writeFileSync(join(dir, 'key.pub'), `ssh-ed25519 ${b64(blob)} test\n`);
    const keygen = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'key.pub')], { encoding: 'utf8' });
    expect(keygen.status).toBe(0);
    expect(keygen.stdout.split(' ')[1]).toBe(fp);
  });

  it('reads the type from the blob and refuses garbage', () => {
    expect(keyTypeOfBlob(ed25519Blob())).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(fakeBlob('ecdsa-sha2-nistp256', 'x'))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOfBlob(Buffer.from('not a key'))).toBeUndefined();
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBeUndefined();
  });
});

describe('parseKnownHosts', () => {
  it('reads markers, hosts, key type and key, with line numbers; reports unusable lines', () => {
    const key = ed25519Blob();
    const text = [
      '# comment',
      '',
      `login.example.org,10.0.0.5 ssh-ed25519 ${b64(key)} alice@laptop`,
      `@revoked * ssh-ed25519 ${b64(key)}`,
      `@cert-authority *.example.org ssh-ed25519 ${b64(key)}`,
      '@bogus host ssh-ed25519 AAAA',
      'host-without-key ssh-ed25519',
      'host ssh-ed25519 !!notbase64!!',
    ].join('\n');
    const parsed = parseKnownHosts(text, '/k');
    expect(parsed.entries.map((e) => [e.line, e.marker, e.hosts, e.keyType])).toEqual([
      [3, undefined, 'login.example.org,10.0.0.5', 'ssh-ed25519'],
      [4, 'revoked', '*', 'ssh-ed25519'],
      [5, 'cert-authority', '*.example.org', 'ssh-ed25519'],
    ]);
    expect(parsed.entries[0]?.key.equals(key)).toBe(true);
    expect(parsed.issues.map((i) => [i.file, i.line])).toEqual([
      ['/k', 6],
      ['/k', 7],
      ['/k', 8],
    ]);
    expect(parsed.issues[0]?.message).toContain('unknown marker @bogus');
  });
});

describe('checkHostKey', () => {
  const server = ed25519Blob();
  const impostor = ed25519Blob();
  const ecdsa = fakeBlob('ecdsa-sha2-nistp256', 'server');
  const name = '[login.example.org]:2222';

  it('trusts the recorded key, also when recorded hashed among other lines', () => {
    const text = [
      `other.example.org ssh-ed25519 ${b64(impostor)}`,
      `${hashedField(name, Buffer.from('saltsaltsaltsaltsalt'))} ssh-ed25519 ${b64(server)}`,
    ].join('\n');
    const { entries } = parseKnownHosts(text, '/k');
    expect(checkHostKey(entries, name, server)).toMatchObject({ status: 'trusted', entry: { line: 2 } });
  });

  it('reports a changed key of the same type with the known entries', () => {
    const { entries } = parseKnownHosts(`# x\n${name} ssh-ed25519 ${b64(server)}\n`, '/k');
    const check = checkHostKey(entries, name, impostor);
    expect(check.status).toBe('changed');
    expect(check.status === 'changed' && check.known.map((e) => e.line)).toEqual([2]);
  });

  it('calls a key of a type not recorded for the host unknown, listing the other types', () => {
    const { entries } = parseKnownHosts(`${name} ecdsa-sha2-nistp256 ${b64(ecdsa)}\n`, '/k');
    const check = checkHostKey(entries, name, server);
    expect(check.status).toBe('unknown');
    expect(check.status === 'unknown' && check.otherTypes.map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
    expect(knownKeyTypes(entries, name)).toEqual(['ecdsa-sha2-nistp256']);
  });

  it('does not use an entry for the same host on another port', () => {
    const { entries } = parseKnownHosts(`login.example.org ssh-ed25519 ${b64(server)}\n`, '/k');
    expect(checkHostKey(entries, name, server)).toEqual({ status: 'unknown', otherTypes: [] });
  });

  it('refuses a revoked key even when a line trusts it', () => {
    const text = `${name} ssh-ed25519 ${b64(server)}\n@revoked * ssh-ed25519 ${b64(server)}\n`;
    const { entries } = parseKnownHosts(text, '/k');
    expect(checkHostKey(entries, name, server)).toMatchObject({ status: 'revoked', entry: { line: 2 } });
  });

  it('ignores @cert-authority lines when matching keys', () => {
    const { entries } = parseKnownHosts(`@cert-authority * ssh-ed25519 ${b64(server)}\n`, '/k');
    expect(checkHostKey(entries, name, server).status).toBe('unknown');
  });
});

describe('formatKnownHostsLine', () => {
  it('writes a line that parses back and matches, plain or hashed', () => {
    const key = ed25519Blob();
    const plain = formatKnownHostsLine('[h]:2222', key);
    expect(plain).toBe(`[h]:2222 ssh-ed25519 ${b64(key)}`);
    const hashed = formatKnownHostsLine('[h]:2222', key, { hash: true });
    expect(hashed.startsWith('|1|')).toBe(true);
    for (const line of [plain, hashed]) {
      const { entries } = parseKnownHosts(line, '/k');
      expect(checkHostKey(entries, '[h]:2222', key).status).toBe('trusted');
    }
  });
});
