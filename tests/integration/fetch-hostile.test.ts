// fetch against the real test cluster (OpenSSH's sftp-server) when a job leaves symbolic links in
// its output: a link to the user's ~/.ssh, a link to a key file, links in a loop, and a link in
// place of an experiment directory. None is followed (the keys never reach results/), the job's
// real output still arrives, and a name with a backslash is refused by name with exit code 1.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quoteShell } from '../../src/shell-quote.js';
import { watchRun } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

interface FetchJson {
  files: { path: string }[];
  refused: { path: string; reason: string; message: string }[];
}

/** Every regular file under `root`, relative to it. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path).map((p) => join(entry.name, p)));
    else out.push(entry.name);
  }
  return out;
}

describeCluster('fetch does not follow symbolic links a job left on the cluster', (cluster) => {
  let project: TestProject;
  let transport: Transport;
  let runId: string;
  let remoteDir: string;

  beforeAll(async () => {
    process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
    const job = [
      'echo "real output" > "$HPCBENCH_OUT_DIR/result.txt"',
      'ln -s "$HOME/.ssh" "$HPCBENCH_OUT_DIR/keys"',
      'ln -s "$HOME/.ssh/authorized_keys" "$HPCBENCH_OUT_DIR/authorized_keys"',
      'ln -s loop "$HPCBENCH_OUT_DIR/loop"',
      'ln -s loop-b "$HPCBENCH_OUT_DIR/loop-a"',
      'ln -s loop-a "$HPCBENCH_OUT_DIR/loop-b"',
      'ln -s "$HOME" "$HPCBENCH_OUT_DIR/../../home"',
    ].join('; ');
    project = openProject(writeTestProject(cluster, { links: { command: job } }));
    transport = connectProject(project);
    const submitted = await renderAndSubmit(project, transport, 'links');
    runId = submitted.record.run_id;
    remoteDir = submitted.record.remote_dir;
    const watched = await watchRun({ transport, resultsDir: project.resultsDir, runId, pollFloorMs: 1000, pollCeilingMs: 5000 });
    expect(watched.exitCode).toBe(0);
  });

  afterAll(async () => {
    delete process.env.HPCBENCH_TEST_POLL_FLOOR_MS;
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('the links are really there on the cluster, and the ~/.ssh one leads to the keys', async () => {
    const check = await transport.execShell(`cd ${quoteShell(`${remoteDir}/out/links/main`)} && test -L keys && test -L loop && ls keys/authorized_keys`);
    expect(check.code).toBe(0);
  });

  it('fetches the output, reports every link as skipped, copies nothing they point at, exits 0', async () => {
    const fetched = await cli(['fetch', runId, '--json', '--results', project.resultsDir]);
    expect(fetched.code).toBe(0);
    const doc = JSON.parse(fetched.stdout) as FetchJson;
    expect(doc.files.map((f) => f.path)).toContain('out/links/main/result.txt');
    expect(doc.refused.filter((r) => r.reason === 'symlink').map((r) => r.path).sort()).toEqual([
      'out/home',
      'out/links/main/authorized_keys',
      'out/links/main/keys',
      'out/links/main/loop',
      'out/links/main/loop-a',
      'out/links/main/loop-b',
    ]);
    expect(fetched.stderr).toContain('skipped "out/links/main/keys": a symbolic link on the cluster (links are not followed)');
    const runDir = join(project.resultsDir, runId);
    expect(readFileSync(join(runDir, 'out', 'links', 'main', 'result.txt'), 'utf8')).toBe('real output\n');
    const local = filesUnder(join(runDir, 'out'));
    expect(local.filter((p) => /keys|loop|home|authorized/.test(p))).toEqual([]);
    for (const path of local) {
      const full = join(runDir, 'out', path);
      expect(lstatSync(full).isFile(), path).toBe(true);
      expect(readFileSync(full, 'utf8'), path).not.toMatch(/ssh-(ed25519|rsa)|PRIVATE KEY/);
    }
  });

  it('refuses a name with a backslash by name, fetches the rest, and exits 1', async () => {
    const made = await transport.exec(['touch', `${remoteDir}/out/links/main/evil\\name.txt`]);
    expect(made.code).toBe(0);
    const fetched = await cli(['fetch', runId, '--json', '--results', project.resultsDir]);
    expect(fetched.code).toBe(1);
    const doc = JSON.parse(fetched.stdout) as FetchJson;
    expect(doc.refused.filter((r) => r.reason === 'unsafe-name')).toEqual([
      expect.objectContaining({ path: 'out/links/main/evil\\name.txt', message: expect.stringContaining('contains "\\"') }),
    ]);
    expect(doc.files.map((f) => f.path)).toContain('out/links/main/result.txt');
    expect(fetched.stderr).toMatch(/1 remote entry was refused \(unsafe-name\)/);
  });
});
