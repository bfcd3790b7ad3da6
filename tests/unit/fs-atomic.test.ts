import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeWriteError } from '../../src/errors.js';
import { writeFileAtomically, writeFileAtomicallyAsync } from '../../src/fs-atomic.js';
import { runCli } from './cli/run-cli.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hpcbench-atomic-'));
}

/** A FIFO in `dir` and a `cat` reading it into a regular file; resolves with what cat read. */
function fifoWithReader(dir: string): { fifo: string; read: Promise<string> } {
  const fifo = join(dir, 'pipe');
  const made = spawnSync('mkfifo', [fifo]);
  expect(made.status, String(made.stderr)).toBe(0);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  const read = new Promise<string>((done, fail) => {
    let text = '';
    reader.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    reader.on('error', fail);
    reader.on('close', () => done(text));
  });
  return { fifo, read };
}

describe('writeFileAtomically', () => {
  it('replaces the file and leaves no temporary sibling behind', () => {
    const dir = tempDir();
    const file = join(dir, 'metrics.json');
    writeFileSync(file, 'old\n');
    const before = statSync(file).ino;
    writeFileAtomically(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    // A new inode: the old file was replaced by a rename, not truncated and rewritten in place.
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(dir)).toEqual(['metrics.json']);
  });

  it('async: writes the text and leaves no temporary sibling behind', async () => {
    const dir = tempDir();
    const file = join(dir, 'process.json');
    await writeFileAtomicallyAsync(file, '{"samples":3}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"samples":3}\n');
    expect(readdirSync(dir)).toEqual(['process.json']);
  });

  it('writes bytes, applies an explicit mode exactly, and keeps an existing file’s mode otherwise', async () => {
    const dir = tempDir();
    const file = join(dir, 'job.sbatch');
    writeFileAtomically(file, new Uint8Array([104, 105, 10]), { mode: 0o700, fsync: true });
    expect(readFileSync(file, 'utf8')).toBe('hi\n');
    expect(statSync(file).mode & 0o777).toBe(0o700);
    writeFileAtomically(file, 'again\n');
    expect(statSync(file).mode & 0o777).toBe(0o700);
    await writeFileAtomicallyAsync(file, 'private\n', { mode: 0o600, fsync: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['job.sbatch']);
  });

  it('fails on a missing directory without creating the target', () => {
    const dir = tempDir();
    expect(() => writeFileAtomically(join(dir, 'missing', 'x.json'), '{}')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a symlink (sync and async), naming the path, and leaves the link and its target untouched', async () => {
    const dir = tempDir();
    const victim = join(dir, 'bashrc');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    const link = join(dir, 'report.md');
    symlinkSync(victim, link);
    expect(() => writeFileAtomically(link, 'pwned\n')).toThrow(UnsafeWriteError);
    expect(() => writeFileAtomically(link, 'pwned\n')).toThrow(`${link}: is a symbolic link`);
    await expect(writeFileAtomicallyAsync(link, 'pwned\n')).rejects.toThrow(UnsafeWriteError);
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['bashrc', 'report.md']);
  });

  it('refuses a dangling symlink instead of creating its target', () => {
    const dir = tempDir();
    const link = join(dir, 'metrics.json');
    symlinkSync(join(dir, 'elsewhere.json'), link);
    expect(() => writeFileAtomically(link, '{}')).toThrow(/is a symbolic link/);
    expect(readdirSync(dir)).toEqual(['metrics.json']);
  });

  it('refuses a directory and a socket with exit code 2', async () => {
    const dir = tempDir();
    const sub = join(dir, 'report.md');
    mkdirSync(sub);
    let caught: unknown;
    try {
      writeFileAtomically(sub, 'x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsafeWriteError);
    expect((caught as UnsafeWriteError).exitCode).toBe(2);
    expect((caught as UnsafeWriteError).message).toBe(`${sub}: is a directory, not a regular file; refusing to replace it`);
    expect(statSync(sub).isDirectory()).toBe(true);

    const socket = join(dir, 'sock');
    const server = createServer();
    await new Promise<void>((done) => server.listen(socket, done));
    try {
      await expect(writeFileAtomicallyAsync(socket, 'x')).rejects.toThrow(/is a socket, not a regular file/);
      expect(lstatSync(socket).isSocket()).toBe(true);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('writes through to a FIFO the user named, which stays a FIFO (sync)', async () => {
    const dir = tempDir();
    const { fifo, read } = fifoWithReader(dir);
    // The open waits for the reader (another process), as a shell redirection does.
    writeFileAtomically(fifo, 'through the pipe\n');
    expect(await read).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('writes through to a FIFO (async)', async () => {
    const dir = tempDir();
    const { fifo, read } = fifoWithReader(dir);
    await writeFileAtomicallyAsync(fifo, '{"a":1}\n', { mode: 0o600, fsync: true });
    expect(await read).toBe('{"a":1}\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });
});

describe('commands never write through a planted symlink', () => {
  const GPU_LOG = resolve('tests/fixtures/nvidia-smi/query-units.csv');

  it('profile --out <symlink>: exit 2 naming the path, and the target untouched', async () => {
    const dir = tempDir();
    const victim = join(dir, 'authorized_keys');
    writeFileSync(victim, 'ssh-ed25519 AAAA user\n');
    const link = join(dir, 'metrics.json');
    symlinkSync(victim, link);
    const result = await runCli(['profile', GPU_LOG, '--out', link]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${link}: is a symbolic link`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(victim, 'utf8')).toBe('ssh-ed25519 AAAA user\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  }, 60_000);

  it('profile --out <FIFO>: written through, the FIFO stays', async () => {
    const dir = tempDir();
    const { fifo, read } = fifoWithReader(dir);
    const result = await runCli(['profile', GPU_LOG, '--out', fifo, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(await read)).toHaveProperty('tasks');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  }, 60_000);

  it('profile --out /dev/stdout writes through to the pipe that is standard output (built CLI), and refuses a regular file behind it', async () => {
    expect(existsSync('dist/cli-bundle/main.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = tempDir();
    const { fifo, read } = fifoWithReader(dir);
    // The shell points the CLI's standard output at our FIFO: /dev/stdout leads there.
    const run = (target: string): ReturnType<typeof spawnSync> =>
      spawnSync('sh', ['-c', 'exec "$0" "$1" profile "$2" --out /dev/stdout --quiet > "$3"', process.execPath, resolve('bin/hpcbench.js'), GPU_LOG, target], { encoding: 'utf8', timeout: 60_000 });
    const piped = run(fifo);
    expect(piped.status, String(piped.stderr)).toBe(0);
    expect(await read).toContain('"tasks"');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const file = join(dir, 'captured.json');
    const redirected = run(file);
    expect(redirected.status).toBe(2);
    expect(String(redirected.stderr)).toContain('/dev/stdout: leads to a regular file, not a terminal or pipe');
  }, 60_000);

  it('report over a symlink planted in <run>/report: exit 2, and the target untouched', async () => {
    const dir = tempDir();
    const run = join(dir, 'run-example');
    cpSync('data_sample/run-example', run, { recursive: true });
    const profiled = await runCli(['profile', run, '--quiet']);
    expect(profiled.code, profiled.stderr).toBe(0);
    const victim = join(dir, 'bashrc');
    writeFileSync(victim, 'alias ls=ls\n');
    mkdirSync(join(run, 'report'));
    const link = join(run, 'report', 'report.md');
    symlinkSync(victim, link);
    const result = await runCli(['report', run, '--format', 'md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${link}: is a symbolic link`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(victim, 'utf8')).toBe('alias ls=ls\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  }, 60_000);

  it('report when <run>/report itself is a link to a folder elsewhere: exit 2, nothing written there; --out may be a link', async () => {
    const dir = tempDir();
    const run = join(dir, 'run-example');
    cpSync('data_sample/run-example', run, { recursive: true });
    expect((await runCli(['profile', run, '--quiet'])).code).toBe(0);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(run, 'report'));
    const result = await runCli(['report', run, '--format', 'md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(run, 'report')}: expected the run's report folder, found a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual([]);
    const chosen = join(dir, 'chosen');
    symlinkSync(elsewhere, chosen);
    expect((await runCli(['report', run, '--format', 'md', '--out', chosen])).code).toBe(0);
    expect(readdirSync(elsewhere)).toContain('report.md');
  }, 60_000);
});
