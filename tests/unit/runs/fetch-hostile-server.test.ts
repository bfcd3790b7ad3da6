// fetch against a hostile SFTP server (real SSH protocol, in-process): names that would step out
// of the run, links to the user's keys and to themselves, a file claiming 10 TB, a readdir that
// calls a link a file. Nothing may be written outside results/<run-id>/out, each refusal is
// reported, and the honest files around them still arrive.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRun } from '../../../src/runs/index.js';
import { connectCluster } from '../../../src/runs/connect.js';
import type { FetchRefusal } from '../../../src/runs/fetch.js';
import { createRunRecord, type RunRecord } from '../../../src/runs/run-record.js';
import type { Transport } from '../../../src/transport/transport.js';
import { dir, file, link, startHostileSftpServer, type FakeNode, type HostileSftpServer } from '../transport/support/hostile-sftp-server.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

const SECRET = '-----BEGIN OPENSSH PRIVATE KEY----- not for results/';
const TEN_TB = 10 * 1024 ** 4;
const HOSTILE_NAMES = ['../../x', '../../../../../escaped', 'a/b', '..', '.', 'back\\slash', 'nul\0byte', ''];

/** Every file and link under `root`, relative to it. */
function walk(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...walk(path).map((p) => join(entry.name, p)));
    else out.push(entry.name);
  }
  return out;
}

function remoteTree(runId: string, task: Record<string, FakeNode>, experiments: Record<string, FakeNode> = {}): FakeNode {
  return dir({
    home: dir({ u: dir({ '.ssh': dir({ id_ed25519: file(SECRET) }) }) }),
    scratch: dir({ p: dir({ u: dir({ [runId]: dir({ out: dir({ lora: dir({ main: dir(task) }), ...experiments }) }) }) }) }),
  });
}

describe('fetch from a hostile SFTP server', () => {
  let server: HostileSftpServer;
  let transport: Transport;
  let base: string;
  let runDir: string;
  let record: RunRecord;
  let refused: FetchRefusal[];
  let fetched: string[];

  beforeAll(async () => {
    const rendered = makeRenderedRun([{ experiment: 'lora' }]);
    runDir = rendered.runDir;
    base = rendered.resultsDir;
    record = createRunRecord(rendered.manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    const hostile = Object.fromEntries(HOSTILE_NAMES.map((name) => [name, file(`written by ${JSON.stringify(name)}\n`)]));
    server = await startHostileSftpServer(
      remoteTree(
        rendered.manifest.run_id,
        {
          'job.out': file('honest output\n'),
          ...hostile,
          'escape-dir': dir({ '..': dir({ 'deeper.txt': file('x') }) }),
          keys: link('/home/u/.ssh'),
          'key-file': link('/home/u/.ssh/id_ed25519'),
          'disguised-link': link('/home/u/.ssh/id_ed25519', true),
          loop: link('loop'),
          'loop-a': link('loop-b'),
          'loop-b': link('loop-a'),
          'huge.bin': file('tiny', TEN_TB),
        },
        { home: link('/home/u') },
      ),
    );
    transport = connectCluster({ ...CLUSTER, ssh: server.ssh }, { agent: false, interactive: false });
    const result = await fetchRun({ transport, record, runDir });
    refused = result.refused;
    fetched = result.files.map((f) => f.path);
  });

  afterAll(async () => {
    await transport?.close();
    await server?.stop();
  });

  it('fetches the honest file and writes nothing outside the run directory', () => {
    expect(fetched).toEqual(['out/lora/main/job.out']);
    expect(readFileSync(join(runDir, 'out', 'lora', 'main', 'job.out'), 'utf8')).toBe('honest output\n');
    // The results directory holds the run's own files only (scripts and manifest from render, out/ from fetch).
    const everything = walk(base).map((p) => relative(base, join(base, p)));
    const outside = everything.filter((p) => !p.startsWith(`${record.run_id}/`));
    expect(outside).toEqual([]);
    const inOut = walk(join(runDir, 'out'));
    expect(inOut).toEqual([join('lora', 'main', 'job.out')]);
    for (const name of ['x', 'escaped', 'deeper.txt']) expect(existsSync(join(base, name)) || existsSync(join(runDir, name))).toBe(false);
    expect(existsSync(join(base, '..', 'escaped'))).toBe(false);
  });

  it('refuses every hostile name by name, the empty one, "\\" and NUL included', () => {
    const names = refused.filter((r) => r.reason === 'unsafe-name').map((r) => r.path);
    for (const name of HOSTILE_NAMES) expect(names, JSON.stringify(name)).toContain(`out/lora/main/${name}`);
    // A `..` listed as a directory reads as the usual parent entry: skipped without a word, never walked.
    expect(names.some((n) => n.includes('escape-dir'))).toBe(false);
    expect(server.opened.some((p) => p.includes('deeper'))).toBe(false);
    const nul = refused.find((r) => r.path.includes('\0'));
    // Messages escape what they quote: no raw NUL reaches a terminal.
    expect(nul?.message).toContain('\\u0000');
    expect(nul?.message).not.toContain('\0');
  });

  it('does not follow links: to ~/.ssh, to a key, at the experiment level, disguised as a file, or in a loop', () => {
    const links = refused.filter((r) => r.reason === 'symlink').map((r) => r.path).sort();
    expect(links).toEqual(['out/home', 'out/lora/main/disguised-link', 'out/lora/main/key-file', 'out/lora/main/keys', 'out/lora/main/loop', 'out/lora/main/loop-a', 'out/lora/main/loop-b']);
    // The disguised link was checked with LSTAT and never opened; no secret reached results/.
    expect(server.opened.filter((p) => !p.endsWith('/job.out'))).toEqual([]);
    for (const path of walk(base)) {
      if (lstatSync(join(base, path)).isFile()) expect(readFileSync(join(base, path), 'utf8')).not.toContain('PRIVATE KEY');
    }
  });

  it('refuses a file over the cap with its size and the config key, without opening it', () => {
    const huge = refused.find((r) => r.reason === 'too-large');
    expect(huge).toMatchObject({ path: 'out/lora/main/huge.bin', size: TEN_TB });
    expect(huge?.message).toContain('fetch.max_file_mb');
    expect(huge?.message).toContain(String(TEN_TB));
    expect(huge?.message).toContain('huge.bin');
  });

  it('is resumable with the refusals in place: a second fetch skips the honest file and refuses the same entries', async () => {
    mkdirSync(join(runDir, 'out'), { recursive: true });
    const again = await fetchRun({ transport, record, runDir });
    expect(again.files).toEqual([{ path: 'out/lora/main/job.out', bytes: 0, skipped: true }]);
    expect(again.refused.map((r) => r.path).sort()).toEqual(refused.map((r) => r.path).sort());
  });
});

describe('fetch from a hostile SFTP server, smaller cap', () => {
  it('refuses a real file over fetch.max_file_mb and fetches the one under it', async () => {
    const rendered = makeRenderedRun([{ experiment: 'lora' }]);
    const record = createRunRecord(rendered.manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    const server = await startHostileSftpServer(remoteTree(rendered.manifest.run_id, { 'big.log': file('y'.repeat(3000)), 'small.log': file('z'.repeat(10)) }));
    const transport = connectCluster({ ...CLUSTER, ssh: server.ssh }, { agent: false, interactive: false });
    try {
      const result = await fetchRun({ transport, record, runDir: rendered.runDir, maxFileBytes: 1000 });
      expect(result.files.map((f) => f.path)).toEqual(['out/lora/main/small.log']);
      expect(result.refused).toEqual([expect.objectContaining({ path: 'out/lora/main/big.log', reason: 'too-large', size: 3000 })]);
      expect(existsSync(join(rendered.runDir, 'out', 'lora', 'main', 'big.log'))).toBe(false);
      expect(existsSync(join(rendered.runDir, 'out', 'lora', 'main', 'big.log.part'))).toBe(false);
    } finally {
      await transport.close();
      await server.stop();
    }
  });
});


describe('fetch from a server whose directories nest forever', () => {
  // The depth limit in fetch.ts: deeper than any layout hpcbench writes.
  const MAX_DEPTH = 32;
  it('stops at the depth limit, reports it, and still fetches the files above it', async () => {
    const rendered = makeRenderedRun([{ experiment: 'lora' }]);
    const record = createRunRecord(rendered.manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    // A directory that contains itself: no link anywhere, yet no bottom.
    const endless: FakeNode = { kind: 'dir', entries: { 'level.txt': file('one level\n') } };
    if (endless.kind === 'dir') endless.entries.deeper = endless;
    const server = await startHostileSftpServer(remoteTree(rendered.manifest.run_id, { nest: endless }));
    const transport = connectCluster({ ...CLUSTER, ssh: server.ssh }, { agent: false, interactive: false });
    try {
      const result = await fetchRun({ transport, record, runDir: rendered.runDir });
      expect(result.refused).toEqual([expect.objectContaining({ reason: 'too-deep', message: expect.stringContaining(`more than ${MAX_DEPTH} directories deep`) })]);
      expect(result.refused[0]?.path.split('/')).toHaveLength(MAX_DEPTH + 1);
      // out/lora/main/nest/level.txt, then one more per level until the limit.
      expect(result.files).toHaveLength(MAX_DEPTH - 3);
    } finally {
      await transport.close();
      await server.stop();
    }
  });
});
