import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../../../src/errors.js';
import { LocalTransport } from '../../../src/transport/local.js';

let dir: string;
const local = new LocalTransport();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpcbench-local-'));
});

describe('LocalTransport.exec', () => {
  it('returns stdout, stderr and the exit code, feeds stdin and honours cwd', async () => {
    expect(await local.execShell('echo out; echo err >&2; exit 3')).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
    expect((await local.exec(['cat'], { stdin: 'piped\n' })).stdout).toBe('piped\n');
    expect((await local.exec(['pwd'], { cwd: dir })).stdout.trim()).toBe(dir);
  });

  it('fails a cd into a missing directory instead of running elsewhere', async () => {
    const result = await local.exec(['touch', 'here'], { cwd: join(dir, 'missing dir') });
    expect(result.code).not.toBe(0);
    expect(existsSync(join(process.cwd(), 'here'))).toBe(false);
  });

  it('passes hostile arguments literally and runs none of them (real bash)', async () => {
    const hostile = [
      '$(touch subst)',
      '`touch backtick`',
      'x; touch semicolon',
      'x && touch and',
      'x | touch pipe',
      'first\ntouch newline',
      "quote's",
      '"double" $HOME',
      '*',
      '~',
      '',
      '>redirect',
    ];
    const result = await local.exec(['printf', '%s\\0', ...hostile], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('round-trips any argument through the shell (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), async (args) => {
        const result = await local.exec(['printf', '%s\\0', ...args], { cwd: dir });
        expect(result.stdout.split('\0').slice(0, -1)).toEqual(args);
      }),
      { numRuns: 40 },
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('kills a command past its timeout, children included, with a RemoteError naming it', async () => {
    const marker = join(dir, 'late');
    const started = local.execShell(`(sleep 2; touch ${marker}) & sleep 5`, { timeoutMs: 300 });
    await expect(started).rejects.toBeInstanceOf(RemoteError);
    await expect(started).rejects.toThrow(/timed out after 0\.3 s on localhost: \(sleep 2/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(existsSync(marker)).toBe(false);
  });

  it('uses the transport default timeout', async () => {
    const quick = new LocalTransport({ execTimeoutMs: 200 });
    await expect(quick.exec(['sleep', '3'])).rejects.toThrow(/timed out after 0\.2 s/);
  });

  it('stops on abort with the reason', async () => {
    const controller = new AbortController();
    const running = local.exec(['sleep', '5'], { signal: controller.signal });
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(running).rejects.toThrow('user pressed Ctrl-C');
  });

  it('refuses an empty argv and a NUL byte', async () => {
    await expect(local.exec([])).rejects.toThrow(RemoteError);
    await expect(local.exec(['echo', 'a\0b'])).rejects.toThrow(/NUL/);
  });
});

describe('LocalTransport files', () => {
  it('uploads atomically with a mode, leaving no temporary file', async () => {
    writeFileSync(join(dir, 'src.sh'), '#!/bin/sh\necho hi\n');
    await local.mkdirp(join(dir, 'remote/run/1'));
    await local.upload(join(dir, 'src.sh'), join(dir, 'remote/run/1/job.sh'), { mode: 0o750 });
    expect(statSync(join(dir, 'remote/run/1/job.sh')).mode & 0o777).toBe(0o750);
    expect(readdirSync(join(dir, 'remote/run/1'))).toEqual(['job.sh']);
  });

  it('writes and replaces files atomically, and reads them back', async () => {
    await local.writeFile(join(dir, 'run.json'), '{"a":1}');
    await local.writeFile(join(dir, 'run.json'), Buffer.from('{"a":2}'), { mode: 0o600 });
    expect((await local.readFile(join(dir, 'run.json'))).toString()).toBe('{"a":2}');
    expect(statSync(join(dir, 'run.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('reports a write into a missing directory as a RemoteError with a hint', async () => {
    const failing = local.writeFile(join(dir, 'nope', 'x'), 'x');
    await expect(failing).rejects.toBeInstanceOf(RemoteError);
    await expect(failing).rejects.toMatchObject({ hint: expect.stringContaining('path exists') });
    await expect(local.readFile(join(dir, 'missing'))).rejects.toThrow(/cannot read .*missing/);
  });

  it('stats and lists, sorted, undefined for missing paths', async () => {
    mkdirSync(join(dir, 'b-dir'));
    writeFileSync(join(dir, 'a.txt'), 'abc');
    expect(await local.stat(join(dir, 'missing'))).toBeUndefined();
    expect(await local.stat(join(dir, 'a.txt'))).toMatchObject({ size: 3, isDirectory: false });
    const entries = await local.list(dir);
    expect(entries.map((e) => [e.name, e.isDirectory])).toEqual([
      ['a.txt', false],
      ['b-dir', true],
    ]);
    await expect(local.list(join(dir, 'missing'))).rejects.toThrow(RemoteError);
  });

  it('downloads, skips a complete copy, and resumes a partial one by offset', async () => {
    const remote = join(dir, 'remote.log');
    const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
    writeFileSync(remote, content);
    const copy = join(dir, 'fetched', 'remote.log');

    expect(await local.download(remote, copy)).toEqual({ bytes: content.length, skipped: false });
    expect(readFileSync(copy).equals(content)).toBe(true);
    expect(Math.floor(statSync(copy).mtimeMs / 1000)).toBe(Math.floor(statSync(remote).mtimeMs / 1000));
    expect(await local.download(remote, copy)).toEqual({ bytes: 0, skipped: true });

    const resumed = join(dir, 'fetched', 'resumed.log');
    writeFileSync(`${resumed}.part`, content.subarray(0, 1234));
    expect(await local.download(remote, resumed)).toEqual({ bytes: content.length - 1234, skipped: false, resumedFrom: 1234 });
    expect(readFileSync(resumed).equals(content)).toBe(true);
    expect(existsSync(`${resumed}.part`)).toBe(false);
  });

  it('fetches a file again when it changed since the last download', async () => {
    const remote = join(dir, 'growing.log');
    writeFileSync(remote, 'one\n');
    utimesSync(remote, 1_700_000_000, 1_700_000_000);
    const copy = join(dir, 'copy.log');
    await local.download(remote, copy);
    writeFileSync(remote, 'one\ntwo\n');
    expect(await local.download(remote, copy)).toEqual({ bytes: 8, skipped: false });
    expect(readFileSync(copy, 'utf8')).toBe('one\ntwo\n');
  });

  it('downloads an empty file and refuses a missing one with a hint', async () => {
    writeFileSync(join(dir, 'empty'), '');
    expect(await local.download(join(dir, 'empty'), join(dir, 'out', 'empty'))).toEqual({ bytes: 0, skipped: false });
    expect(readFileSync(join(dir, 'out', 'empty'), 'utf8')).toBe('');
    await expect(local.download(join(dir, 'missing.log'), join(dir, 'x'))).rejects.toMatchObject({
      message: expect.stringContaining('no such file'),
      hint: expect.stringContaining('job logs appear'),
    });
  });
});
