// fetch with real links and special files on both sides (the local transport, a directory
// standing in for the cluster): remote links are reported and never followed, a loop does not
// stop the fetch, and a link, FIFO or directory planted in results/ is refused, never written through.
import { DownloadRefusedError } from '../../../src/errors.js';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchRun } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import type { FetchRunResult } from '../../../src/runs/fetch.js';
import { LocalTransport } from '../../../src/transport/local.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

interface Setup {
  runDir: string;
  task: string;
  /** A directory outside both the run and the remote tree, with a secret in it. */
  outside: string;
  fetch: () => Promise<FetchRunResult>;
}

function setUp(): Setup {
  const { manifest, runDir } = makeRenderedRun([{ experiment: 'lora' }]);
  const remote = mkdtempSync(join(tmpdir(), 'hpcbench-remote-'));
  const outside = mkdtempSync(join(tmpdir(), 'hpcbench-outside-'));
  writeFileSync(join(outside, 'id_ed25519'), 'PRIVATE KEY\n');
  const record = createRunRecord(manifest, { ...CLUSTER, transport: 'local', workdir: remote }, new Date('2026-11-24T06:00:00Z'));
  const task = join(record.remote_dir, 'out', 'lora', 'main');
  mkdirSync(task, { recursive: true });
  writeFileSync(join(task, 'job.out'), 'honest\n');
  return { runDir, task, outside, fetch: () => fetchRun({ transport: new LocalTransport(), record, runDir }) };
}

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr.toString()}`);
}

describe('fetch and remote links', () => {
  it('reports links (to a secret, to a directory, in loops, as the experiment) and fetches the rest', async () => {
    const s = setUp();
    symlinkSync(s.outside, join(s.task, 'keys'));
    symlinkSync(join(s.outside, 'id_ed25519'), join(s.task, 'key-file'));
    symlinkSync('loop', join(s.task, 'loop'));
    symlinkSync('loop-b', join(s.task, 'loop-a'));
    symlinkSync('loop-a', join(s.task, 'loop-b'));
    symlinkSync(s.outside, join(s.task, '..', '..', 'stolen'));
    const result = await s.fetch();
    expect(result.files.map((f) => f.path)).toEqual(['out/lora/main/job.out']);
    expect(result.refused.map((r) => [r.path, r.reason])).toEqual([
      ['out/lora/main/key-file', 'symlink'],
      ['out/lora/main/keys', 'symlink'],
      ['out/lora/main/loop', 'symlink'],
      ['out/lora/main/loop-a', 'symlink'],
      ['out/lora/main/loop-b', 'symlink'],
      ['out/stolen', 'symlink'],
    ]);
    expect(readdirSync(join(s.runDir, 'out', 'lora', 'main'))).toEqual(['job.out']);
    expect(existsSync(join(s.runDir, 'out', 'stolen'))).toBe(false);
  });

  it('does not walk an out/ that is itself a link on the cluster', async () => {
    const s = setUp();
    const remoteRun = join(s.task, '..', '..', '..');
    mkdirSync(join(s.outside, 'lora', 'main'), { recursive: true });
    writeFileSync(join(s.outside, 'lora', 'main', 'job.out'), 'not this run\n');
    rmSync(join(remoteRun, 'out'), { recursive: true });
    symlinkSync(s.outside, join(remoteRun, 'out'));
    const result = await s.fetch();
    expect(result.files).toEqual([]);
    expect(result.refused).toEqual([expect.objectContaining({ path: 'out', reason: 'symlink' })]);
    expect(existsSync(join(s.runDir, 'out'))).toBe(false);
  });

  it('skips a remote FIFO without waiting on it', async () => {
    const s = setUp();
    mkfifo(join(s.task, 'progress.pipe'));
    const result = await s.fetch();
    expect(result.files.map((f) => f.path)).toEqual(['out/lora/main/job.out']);
    expect(result.refused).toEqual([expect.objectContaining({ path: 'out/lora/main/progress.pipe', reason: 'not-a-file' })]);
  });

  it('the local transport refuses to download a link when asked not to follow links', async () => {
    const s = setUp();
    const linkPath = join(s.task, 'key-file');
    symlinkSync(join(s.outside, 'id_ed25519'), linkPath);
    const copy = join(mkdtempSync(join(tmpdir(), 'hpcbench-copy-')), 'copy');
    await expect(new LocalTransport().download(linkPath, copy, { noFollow: true })).rejects.toBeInstanceOf(DownloadRefusedError);
    expect(existsSync(copy)).toBe(false);
    // Without the option a link is followed, as before (an explicit download of a named file).
    expect((await new LocalTransport().download(linkPath, copy)).bytes).toBe('PRIVATE KEY\n'.length);
  });
});

describe('fetch and what is already in results/', () => {
  it('never writes through a symlink planted where a fetched file goes, nor through one at its .part', async () => {
    const s = setUp();
    writeFileSync(join(s.task, 'job.err'), 'remote err\n');
    const local = join(s.runDir, 'out', 'lora', 'main');
    mkdirSync(local, { recursive: true });
    const bashrc = join(s.outside, 'bashrc');
    writeFileSync(bashrc, 'original\n');
    symlinkSync(bashrc, join(local, 'job.out'));
    symlinkSync(bashrc, join(local, 'job.err.part'));
    const result = await s.fetch();
    expect(result.files).toEqual([]);
    expect(result.refused.map((r) => [r.path, r.reason])).toEqual([
      ['out/lora/main/job.err', 'unsafe-local-path'],
      ['out/lora/main/job.out', 'unsafe-local-path'],
    ]);
    expect(result.refused[1]?.message).toMatch(/job\.out is a symbolic link/);
    expect(readFileSync(bashrc, 'utf8')).toBe('original\n');
    expect(lstatSync(join(local, 'job.out')).isSymbolicLink()).toBe(true);
  });

  it('never follows a directory link on the way (out/<experiment> pointing elsewhere)', async () => {
    const s = setUp();
    mkdirSync(join(s.runDir, 'out'), { recursive: true });
    const elsewhere = mkdtempSync(join(tmpdir(), 'hpcbench-elsewhere-'));
    symlinkSync(elsewhere, join(s.runDir, 'out', 'lora'));
    const result = await s.fetch();
    expect(result.refused).toEqual([expect.objectContaining({ path: 'out/lora/main/job.out', reason: 'unsafe-local-path' })]);
    expect(result.refused[0]?.message).toMatch(/out\/lora is a symbolic link, where fetch needs a directory/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses a FIFO or a directory where a file goes, without blocking', async () => {
    const s = setUp();
    writeFileSync(join(s.task, 'exit.json'), '{"exit_code": 0}\n');
    const local = join(s.runDir, 'out', 'lora', 'main');
    mkdirSync(join(local, 'exit.json'), { recursive: true });
    mkfifo(join(local, 'job.out'));
    const result = await s.fetch();
    expect(result.refused.map((r) => [r.path, r.reason])).toEqual([
      ['out/lora/main/exit.json', 'unsafe-local-path'],
      ['out/lora/main/job.out', 'unsafe-local-path'],
    ]);
    expect(result.refused.map((r) => r.message).join('\n')).toMatch(/exit\.json is a directory[\s\S]*job\.out is a FIFO/);
    expect(lstatSync(join(local, 'job.out')).isFIFO()).toBe(true);
  });
});
