// `hpcbench fetch` against the hostile SFTP server, through the CLI: every refusal is a warning
// naming the entry, the honest file still arrives, the exit code is 1 with a summary (no stack
// trace), and the size cap comes from `fetch.max_file_mb` in the config.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { runCli } from '../cli/run-cli.js';
import { dir, file, link, startHostileSftpServer, type HostileSftpServer } from '../transport/support/hostile-sftp-server.js';
import { makeRenderedRun } from './helpers.js';

describe('hpcbench fetch from a hostile server', () => {
  let server: HostileSftpServer;
  let resultsDir: string;
  let runDir: string;
  let runId: string;

  beforeAll(async () => {
    const rendered = makeRenderedRun([{ experiment: 'lora' }]);
    ({ resultsDir, runDir } = rendered);
    runId = rendered.manifest.run_id;
    server = await startHostileSftpServer(
      dir({
        home: dir({ u: dir({ '.ssh': dir({ id_ed25519: file('PRIVATE KEY') }) }) }),
        scratch: dir({
          [runId]: dir({
            out: dir({
              lora: dir({
                main: dir({
                  'job.out': file('honest\n'),
                  'train.log': file('x'.repeat(4096)),
                  '../../../../outside': file('escaped\n'),
                  keys: link('/home/u/.ssh'),
                }),
              }),
            }),
          }),
        }),
      }),
    );
    const ssh = server.ssh;
    await writeRunRecord(resultsDir, createRunRecord(rendered.manifest, { name: 'hostile', transport: 'ssh', ssh, workdir: '/scratch' }, new Date('2026-11-24T06:00:00Z')));
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('warns about each refused entry, fetches the rest, exits 1 with a summary, and takes the cap from fetch.max_file_mb', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'hpcbench-fetchcfg-')), 'hpcbench.yaml');
    writeFileSync(config, 'version: 1\nclusters: {}\nfetch:\n  max_file_mb: 0.001\n');
    const result = await runCli(['fetch', runId, '--results', resultsDir, '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the remote name "../../../../outside" in "out/lora/main": it contains "/"');
    expect(result.stderr).toContain('skipped "out/lora/main/keys": a symbolic link on the cluster (links are not followed)');
    expect(result.stderr).toMatch(/skipped "out\/lora\/main\/train\.log": 4096 bytes, over fetch\.max_file_mb \(1048 bytes\); raise fetch\.max_file_mb/);
    expect(result.stderr).toMatch(/2 remote entries were refused \(unsafe-name, too-large\); the other files were fetched/);
    expect(result.stderr).not.toMatch(/\s+at /);
    expect(readFileSync(join(runDir, 'out', 'lora', 'main', 'job.out'), 'utf8')).toBe('honest\n');
    expect(existsSync(join(runDir, 'out', 'lora', 'main', 'train.log'))).toBe(false);
    expect(existsSync(join(resultsDir, '..', 'outside'))).toBe(false);
  });

  it('gives the refusals in --json, and the default cap lets the log through', async () => {
    const result = await runCli(['fetch', runId, '--json', '--results', resultsDir]);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout) as { files: { path: string }[]; refused: { path: string; reason: string }[] };
    expect(doc.files.map((f) => f.path).sort()).toEqual(['out/lora/main/job.out', 'out/lora/main/train.log']);
    expect(doc.refused.map((r) => [r.path, r.reason])).toEqual([
      ['out/lora/main/../../../../outside', 'unsafe-name'],
      ['out/lora/main/keys', 'symlink'],
    ]);
  });
});
