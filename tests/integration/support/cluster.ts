// Finds the real SLURM + OpenSSH test cluster started by tests/cluster/up.sh and decides whether
// an integration suite runs, is skipped (cluster absent on a developer machine) or fails
// (cluster absent under CI=true, where a silent skip would hide a broken pipeline).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRequiring } from '../../unit/support/requirement.js';

export interface TestCluster {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  knownHostsPath: string;
  partitions: string[];
  remoteWorkdir: string;
  clusterName: string;
  /** Everything below is written by up.sh but optional, so a hand-written cluster.json works. */
  defaultPartition?: string;
  gpuPartition?: string;
  gpusPerNode?: number;
  nodeName?: string;
  account?: string;
  /** 'cgroup': a job over --mem ends OUT_OF_MEMORY; 'overMemoryKill': FAILED, "Exceeded job memory limit". */
  memoryEnforcement?: 'cgroup' | 'overMemoryKill';
  logDir?: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLUSTER_DIR = resolve(REPO_ROOT, 'tests/cluster');
const CLUSTER_STATE_FILE = resolve(CLUSTER_DIR, '.state/cluster.json');
const CLUSTER_CTL_SCRIPT = resolve(CLUSTER_DIR, 'ctl.sh');
const CLUSTER_MISSING_MESSAGE =
  'test cluster not running: run `sudo bash tests/cluster/up.sh`';

/** Path of the cluster description; HPCBENCH_TEST_CLUSTER points at another one. */
function locateClusterFile(): string {
  const override = process.env.HPCBENCH_TEST_CLUSTER;
  return override !== undefined && override !== '' ? resolve(override) : CLUSTER_STATE_FILE;
}

function requireString(file: string, raw: Record<string, unknown>, field: string): string {
  const value = raw[field];
  if (typeof value !== 'string' || value === '') {
    throw new Error(
      `${file}: field "${field}" should be a non-empty string, found ${JSON.stringify(value)}; ` +
        'run `sudo bash tests/cluster/up.sh` to rewrite it',
    );
  }
  return value;
}

/** Parses and checks a cluster.json text; errors name the file and the field. */
export function parseClusterFile(file: string, text: string): TestCluster {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); run \`sudo bash tests/cluster/up.sh\` to rewrite it`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${file}: expected a JSON object, found ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const record = raw as Record<string, unknown>;
  const port = record.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${file}: field "port" should be an integer 1-65535, found ${JSON.stringify(port)}`);
  }
  const partitions = record.partitions;
  if (!Array.isArray(partitions) || partitions.length === 0 || !partitions.every((p) => typeof p === 'string')) {
    throw new Error(`${file}: field "partitions" should be a non-empty list of names, found ${JSON.stringify(partitions)}`);
  }
  const relativeTo = (path: string): string => (isAbsolute(path) ? path : resolve(dirname(file), path));
  const memory = record.memoryEnforcement;
  return {
    host: requireString(file, record, 'host'),
    port,
    username: requireString(file, record, 'username'),
    privateKeyPath: relativeTo(requireString(file, record, 'privateKeyPath')),
    knownHostsPath: relativeTo(requireString(file, record, 'knownHostsPath')),
    partitions,
    remoteWorkdir: requireString(file, record, 'remoteWorkdir'),
    clusterName: requireString(file, record, 'clusterName'),
    ...(typeof record.defaultPartition === 'string' ? { defaultPartition: record.defaultPartition } : {}),
    ...(typeof record.gpuPartition === 'string' ? { gpuPartition: record.gpuPartition } : {}),
    ...(typeof record.gpusPerNode === 'number' ? { gpusPerNode: record.gpusPerNode } : {}),
    ...(typeof record.nodeName === 'string' ? { nodeName: record.nodeName } : {}),
    ...(typeof record.account === 'string' ? { account: record.account } : {}),
    ...(memory === 'cgroup' || memory === 'overMemoryKill' ? { memoryEnforcement: memory } : {}),
    ...(typeof record.logDir === 'string' ? { logDir: record.logDir } : {}),
  };
}

// A synchronous probe, because suites are declared synchronously; bash's /dev/tcp avoids
// depending on nc or ss being installed.
function isPortOpen(host: string, port: number): boolean {
  const probe = spawnSync('bash', ['-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)], {
    timeout: 5_000,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

interface ClusterProbe {
  cluster: TestCluster | undefined;
  /** Why there is no cluster, for the skip or failure message. */
  reason: string;
}

function probeTestCluster(): ClusterProbe {
  const file = locateClusterFile();
  if (!existsSync(file)) return { cluster: undefined, reason: `${file} does not exist` };
  const cluster = parseClusterFile(file, readFileSync(file, 'utf8'));
  if (!isPortOpen(cluster.host, cluster.port)) {
    return { cluster: undefined, reason: `${file} exists but nothing listens on ${cluster.host}:${cluster.port}` };
  }
  return { cluster, reason: '' };
}

/** Declares a suite that needs the test cluster (see describeRequiring). */
export function describeCluster(name: string, fn: (cluster: TestCluster) => void): void {
  const { cluster, reason } = probeTestCluster();
  const requirement = { missing: CLUSTER_MISSING_MESSAGE, check: 'has a running test cluster', warnPrefix: '[integration]' };
  describeRequiring(name, requirement, cluster === undefined ? reason : undefined, () => {
    if (cluster !== undefined) fn(cluster);
  });
}

/**
 * Stops or starts one daemon of the local test cluster for fault-injection tests, through
 * tests/cluster/ctl.sh (by recorded pid). Needs root, as the tests run under .ci/run.
 */
export function controlClusterDaemon(
  action: 'stop' | 'start' | 'restart',
  daemon: 'sshd' | 'slurmctld' | 'slurmd' | 'slurmdbd',
): void {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'bash' : 'sudo';
  const args = asRoot ? [CLUSTER_CTL_SCRIPT, action, daemon] : ['-n', 'bash', CLUSTER_CTL_SCRIPT, action, daemon];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(
      `${CLUSTER_CTL_SCRIPT} ${action} ${daemon} failed (exit ${String(result.status)}): ` +
        `${(result.stderr || result.error?.message || '').trim()}; it needs root (or password-less sudo)`,
    );
  }
}
