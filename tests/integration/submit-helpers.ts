// An hpcbench.yaml for the test cluster, written into a temporary project directory, so the
// submit/watch/fetch tests go through config → render → SSH → SLURM like a user would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCluster } from './support/cluster.js';
import { loadConfig } from '../../src/config/index.js';
import { renderRun, writeRun } from '../../src/render/index.js';
import {
  cancelRun,
  listRunIds,
  parseSubmitManifest,
  readRunRecord,
  submitRun,
  type RunCluster,
  type SubmitRunOptions,
  type SubmitRunResult,
} from '../../src/runs/index.js';
import { describeRunCluster, connectCluster } from '../../src/runs/connect.js';
import type { Transport } from '../../src/transport/transport.js';
import type { SshTransportOptions } from '../../src/transport/ssh.js';

export interface TestExperiment {
  command: string;
  time?: string;
  mem?: string;
  depends_on?: string[];
  sweep?: Record<string, (string | number)[]>;
  models?: string[];
  partition?: string;
  /** Extra sbatch flags, e.g. --begin=now+1hour. */
  extra?: string[];
}

/**
 * The `clusters: test:` entry of a project for the test cluster, up to its account: callers add
 * rates, a cache and partitions below it.
 */
export function writeClusterEntryLines(cluster: TestCluster, workdir = cluster.remoteWorkdir): string[] {
  return [
    'clusters:',
    '  test:',
    '    preset: generic',
    '    transport: ssh',
    '    ssh:',
    `      host: ${JSON.stringify(cluster.host)}`,
    `      port: ${cluster.port}`,
    `      user: ${JSON.stringify(cluster.username)}`,
    `      identity_file: ${JSON.stringify(cluster.privateKeyPath)}`,
    `      known_hosts: ${JSON.stringify(cluster.knownHostsPath)}`,
    `    workdir: ${JSON.stringify(workdir)}`,
    ...(cluster.account ? [`    account: ${JSON.stringify(cluster.account)}`] : []),
  ];
}

export function writeTestProject(cluster: TestCluster, experiments: Record<string, TestExperiment>, extra: { hfCache?: string; workdir?: string } = {}): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-submit-'));
  const lines = [
    'version: 1',
    ...writeClusterEntryLines(cluster, extra.workdir),
    ...(extra.hfCache ? [`    hf_cache: ${JSON.stringify(extra.hfCache)}`] : []),
    '    partitions:',
    '      cpu:',
    '        kind: cpu',
    '        cpus_per_node: 8',
    '        mem_per_node: 16G',
    '        max_time: "12:00:00"',
    '        shared: true',
    'experiments:',
  ];
  for (const [name, e] of Object.entries(experiments)) {
    lines.push(`  ${name}:`, '    cluster: test', `    partition: ${e.partition ?? 'cpu'}`, `    command: ${JSON.stringify(e.command)}`, '    resources:', `      time: ${JSON.stringify(e.time ?? '00:05:00')}`, '      cpus_per_task: 1');
    if (e.mem) lines.push(`      mem: ${e.mem}`);
    if (e.depends_on) lines.push(`    depends_on: [${e.depends_on.join(', ')}]`);
    if (e.extra) lines.push(`    extra_directives: [${e.extra.map((x) => JSON.stringify(x)).join(', ')}]`);
    if (e.models) lines.push(`    models: [${e.models.map((m) => JSON.stringify(m)).join(', ')}]`);
    if (e.sweep) {
      lines.push('    sweep:', '      matrix:');
      for (const [k, v] of Object.entries(e.sweep)) lines.push(`        ${k}: [${v.map((x) => JSON.stringify(x)).join(', ')}]`);
    }
  }
  const config = join(dir, 'hpcbench.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}


export interface TestProject {
  dir: string;
  config: string;
  resultsDir: string;
  cluster: RunCluster;
}

export function openProject(project: { dir: string; config: string }): TestProject {
  const config = loadConfig(project.config);
  const cluster = config.clusters.test;
  if (!cluster) throw new Error('test project has no cluster "test"');
  return { ...project, resultsDir: join(project.dir, 'results'), cluster: describeRunCluster(cluster, project.dir) };
}

export const quietSsh: SshTransportOptions = { agent: false, interactive: false };

export function connectProject(project: TestProject, options: SshTransportOptions = {}): Transport {
  return connectCluster(project.cluster, { ...quietSsh, ...options, root: project.dir });
}

let sequence = 0;

/** Renders an experiment (with its dependencies) and submits it through the library, as `hpcbench submit` does. */
export async function renderAndSubmit(
  project: TestProject,
  transport: Transport,
  experiment: string,
  extra: Partial<SubmitRunOptions> = {},
): Promise<SubmitRunResult> {
  const config = loadConfig(project.config);
  sequence += 1;
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${experiment}-${process.pid.toString(16)}${sequence}`;
  const rendered = renderRun(config, experiment, { runId });
  const runDir = join(project.resultsDir, runId);
  writeRun(runDir, rendered, { copyFilesFrom: project.dir });
  const manifest = parseSubmitManifest(JSON.stringify(rendered.manifest), 'manifest.json');
  return submitRun({ transport, resultsDir: project.resultsDir, runDir, manifest, cluster: project.cluster, configRoot: project.dir, ...extra });
}

/** Cancels whatever the project's runs left queued and removes their directories on the cluster. */
export async function cleanUpRuns(project: TestProject, transport: Transport): Promise<void> {
  for (const runId of await listRunIds(project.resultsDir)) {
    const record = await readRunRecord(project.resultsDir, runId);
    await cancelRun({ transport, resultsDir: project.resultsDir, record }).catch(() => undefined);
    if (record.remote_dir.startsWith(`${record.cluster.workdir}/`)) {
      await transport.exec(['rm', '-rf', '--', record.remote_dir]).catch(() => undefined);
    }
  }
}
