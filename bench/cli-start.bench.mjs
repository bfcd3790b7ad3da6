#!/usr/bin/env node
// Benchmark: what a CLI call costs before it does anything, side by side in one run with what
// people compare it to. `hpcbench --version` and `--help` against bare `node -e 0`;
// `hpcbench status <run>` against the OpenSSH client asking the same cluster `squeue` (and
// `squeue` plus `sacct`, the two queries status makes for a finished job), directly and through a
// bastion (ProxyJump), as most clusters are reached from outside, and over a link with a 20 ms
// round trip (bench/latency-relay.mjs; loopback has none). The commands are run
// in interleaved rounds (one of each per round), so that the machine's load falls on all alike;
// the table gives medians of wall time and of CPU time (user + system, from /usr/bin/time, in
// hundredths of a second) and their ratios.
//
//   node bench/cli-start.bench.mjs [--runs 15] [--compare-bin <another checkout>/bin/hpcbench.js]
//
// Needs a build (npm run build). The status rows need the SLURM test cluster (sudo bash
// tests/cluster/up.sh); without it they are left out and the output says so. The status run is
// a one-line job submitted by `hpcbench submit` at the start, measured once it has completed.
// Results: bench/results/cli-start.json and .md (full-size runs only).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const scale = Number(process.env.HPCBENCH_BENCH_SCALE ?? '1');
const fullSize = scale === 1;
const runs = Number(option('--runs') ?? Math.max(3, Math.round(15 * scale)));
const cli = join(root, 'bin', 'hpcbench.js');
// Half the round-trip time of the RTT rows: 20 ms, a student's link to a national cluster.
const RELAY_DELAY_MS = 10;

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}
if (!existsSync('/usr/bin/time')) {
  console.error('/usr/bin/time is missing: install Debian\'s `time` package');
  process.exit(2);
}

/** One timed call: wall and CPU seconds from GNU time, and whether the command succeeded. */
function timeOnce(argv, cwd) {
  const start = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', 'TIMED %e %U %S', ...argv], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  // GNU time counts wall time in hundredths; the clock here has the resolution the fast rows need.
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const line = /TIMED (\S+) (\S+) (\S+)\s*$/.exec(run.stderr ?? '');
  if (run.status !== 0 || !line) throw new Error(`${argv.join(' ')} failed (exit ${run.status}): ${(run.stderr ?? '').slice(-500)}`);
  return { wall, cpu: Number(line[2]) + Number(line[3]) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A project for the test cluster whose `ssh:` is `ssh` (YAML flow text), and a completed one-job
 * run of it to ask status about.
 */
async function prepareRun(c, name, ssh) {
  const project = join(here, 'out', 'tmp', `cli-start-${name}`);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  const yaml = [
    'version: 1',
    'clusters:',
    '  test:',
    '    preset: generic',
    '    transport: ssh',
    `    ssh: ${ssh}`,
    `    workdir: ${JSON.stringify(c.remoteWorkdir)}`,
    ...(c.account ? [`    account: ${JSON.stringify(c.account)}`] : []),
    '    partitions:',
    `      ${c.defaultPartition ?? 'cpu'}: { kind: cpu, cpus_per_node: 8, mem_per_node: 16G, max_time: "12:00:00", shared: true }`,
    'experiments:',
    '  tiny:',
    '    cluster: test',
    `    partition: ${c.defaultPartition ?? 'cpu'}`,
    '    command: "true"',
    '    resources: { time: "00:05:00", cpus_per_task: 1 }',
  ];
  writeFileSync(join(project, 'hpcbench.yaml'), `${yaml.join('\n')}\n`);
  const submit = spawnSync(process.execPath, [cli, 'submit', 'tiny', '--quiet'], { cwd: project, encoding: 'utf8' });
  if (submit.status !== 0) throw new Error(`hpcbench submit failed: ${submit.stderr}`);
  const runId = submit.stdout.trim();
  let jobId;
  for (let i = 0; i < 120; i++) {
    const status = spawnSync(process.execPath, [cli, 'status', runId, '--json'], { cwd: project, encoding: 'utf8' });
    const row = status.status === 0 ? JSON.parse(status.stdout).rows[0] : undefined;
    jobId = row?.jobId ?? jobId;
    if (row?.state === 'COMPLETED') break;
    if (row && /FAILED|CANCELLED|TIMEOUT/.test(row.state)) throw new Error(`the benchmark's job ended ${row.state}`);
    await delay(1000);
  }
  return { project, runId, jobId, remoteDir: `${c.remoteWorkdir}/${runId}` };
}

/**
 * The test cluster reached directly and through a bastion (its own sshd as the ProxyJump hop, as
 * the transport tests do; an ssh_config both clients read), with a completed run for each;
 * `skipped` without a cluster.
 */
async function prepareCluster() {
  const clusterFile = process.env.HPCBENCH_TEST_CLUSTER ?? join(root, 'tests', 'cluster', '.state', 'cluster.json');
  if (!existsSync(clusterFile)) return { skipped: `${clusterFile} does not exist (start the test cluster with sudo bash tests/cluster/up.sh)` };
  const c = JSON.parse(readFileSync(clusterFile, 'utf8'));
  const sshBase = ['ssh', '-p', String(c.port), '-i', c.privateKeyPath, '-o', `UserKnownHostsFile=${c.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `${c.username}@${c.host}`];
  if (spawnSync(sshBase[0], [...sshBase.slice(1), 'squeue', '--version'], { stdio: 'ignore' }).status !== 0) {
    return { skipped: `the test cluster at ${c.host}:${c.port} does not answer over SSH` };
  }
  mkdirSync(join(here, 'out', 'tmp'), { recursive: true });
  const sshConfig = join(here, 'out', 'tmp', 'cli-start-ssh_config');
  const hostBlock = (alias) => [`Host ${alias}`, `  HostName ${c.host}`, `  Port ${c.port}`, `  User ${c.username}`, `  IdentityFile ${c.privateKeyPath}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${c.knownHostsPath}`, '  StrictHostKeyChecking yes', '  BatchMode yes'];
  // A 20 ms round trip in front of the same sshd (bench/latency-relay.mjs); the host key is looked
  // up under the cluster's own name and port.
  const relay = spawn(process.execPath, [join(here, 'latency-relay.mjs'), '--to', `${c.host}:${c.port}`, '--delay-ms', String(RELAY_DELAY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const relayPort = await new Promise((resolvePort, reject) => {
    relay.stdout.once('data', (chunk) => resolvePort(Number(String(chunk).trim())));
    relay.once('exit', (code) => reject(new Error(`latency-relay.mjs exited ${code}`)));
  });
  const farBlock = [...hostBlock('bench-far').filter((line) => !line.startsWith('  Port ')), `  Port ${relayPort}`, `  HostKeyAlias [${c.host}]:${c.port}`];
  writeFileSync(sshConfig, `${[...hostBlock('bench-bastion'), ...hostBlock('bench-cluster'), '  ProxyJump bench-bastion', ...farBlock].join('\n')}\n`);
  const direct = await prepareRun(c, 'direct', `{ host: ${JSON.stringify(c.host)}, port: ${c.port}, user: ${JSON.stringify(c.username)}, identity_file: ${JSON.stringify(c.privateKeyPath)}, known_hosts: ${JSON.stringify(c.knownHostsPath)} }`);
  const bastion = await prepareRun(c, 'bastion', `{ host: bench-cluster, ssh_config: ${JSON.stringify(sshConfig)} }`);
  const far = await prepareRun(c, 'far', `{ host: bench-far, ssh_config: ${JSON.stringify(sshConfig)} }`);
  const floorArgs = ['--host', c.host, '--port', String(c.port), '--user', c.username, '--key', c.privateKeyPath];
  const floorFarArgs = ['--host', c.host, '--port', String(relayPort), '--user', c.username, '--key', c.privateKeyPath];
  return { direct, bastion, far, relay, sshBase, floorArgs, floorFarArgs, sshViaBastion: ['ssh', '-F', sshConfig, 'bench-cluster'], sshFar: ['ssh', '-F', sshConfig, 'bench-far'], target: `${c.username}@${c.host}:${c.port}` };
}

const loadBefore = loadavg()[0];
const cluster = await prepareCluster();
const commands = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'hpcbench --version', argv: [process.execPath, cli, '--version'] },
  { name: 'hpcbench --help', argv: [process.execPath, cli, '--help'] },
];
if (!cluster.skipped) {
  const { direct, bastion } = cluster;
  const queries = (job) => `squeue --jobs ${job}; sacct --jobs ${job} --duplicates`;
  commands.push(
    { name: 'hpcbench status <run>', argv: [process.execPath, cli, 'status', direct.runId], cwd: direct.project },
    // Another build side by side (e.g. a worktree of an older commit, built): before/after in one run.
    ...(option('--compare-bin') ? [{ name: 'status, --compare-bin build', argv: [process.execPath, option('--compare-bin'), 'status', direct.runId], cwd: direct.project }] : []),
    { name: 'ssh host squeue', argv: [...cluster.sshBase, 'squeue'] },
    { name: 'ssh host "squeue; sacct"', argv: [...cluster.sshBase, queries(direct.jobId)] },
    // The least a node + ssh2 tool spends on the same two queries (bench/ssh2-floor.mjs).
    { name: 'node + ssh2: squeue & sacct', argv: [process.execPath, join(here, 'ssh2-floor.mjs'), ...cluster.floorArgs, '--jobs', String(direct.jobId)] },
    // The same through a bastion (ProxyJump), as people reach most clusters from outside.
    { name: 'hpcbench status <run>, via bastion', argv: [process.execPath, cli, 'status', bastion.runId], cwd: bastion.project },
    { name: 'ssh -J bastion host squeue', argv: [...cluster.sshViaBastion, 'squeue'] },
    { name: 'ssh -J bastion host "squeue; sacct"', argv: [...cluster.sshViaBastion, queries(bastion.jobId)] },
    // And over a link with a round-trip time, as from a laptop to a login node.
    { name: `hpcbench status <run>, ${RELAY_DELAY_MS * 2} ms RTT`, argv: [process.execPath, cli, 'status', cluster.far.runId], cwd: cluster.far.project },
    { name: `ssh host squeue, ${RELAY_DELAY_MS * 2} ms RTT`, argv: [...cluster.sshFar, 'squeue'] },
    { name: `ssh host "squeue; sacct", ${RELAY_DELAY_MS * 2} ms RTT`, argv: [...cluster.sshFar, queries(cluster.far.jobId)] },
    // ssh2 makes its own round trips, which no caller of it can take away: the floor over the same link.
    { name: `node + ssh2: squeue & sacct, ${RELAY_DELAY_MS * 2} ms RTT`, argv: [process.execPath, join(here, 'ssh2-floor.mjs'), ...cluster.floorFarArgs, '--jobs', String(cluster.far.jobId)] },
  );
} else {
  console.error(`status rows left out: ${cluster.skipped}`);
}

for (const c of commands) timeOnce(c.argv, c.cwd ?? root); // warm the page cache
const samples = new Map(commands.map((c) => [c.name, []]));
for (let round = 0; round < runs; round++) {
  for (const c of commands) samples.get(c.name).push(timeOnce(c.argv, c.cwd ?? root));
}
const loadAfter = loadavg()[0];
// The shared cluster keeps nothing of the benchmark's (the run id is checked before it reaches rm).
cluster.relay?.kill();
for (const run of cluster.skipped ? [] : [cluster.direct, cluster.bastion, cluster.far]) {
  if (/^[0-9]{8}-[0-9]{6}-tiny-[0-9a-f]+$/.test(run.runId)) spawnSync(cluster.sshBase[0], [...cluster.sshBase.slice(1), `rm -rf '${run.remoteDir}'`], { stdio: 'ignore' });
}

const rows = commands.map((c) => {
  const s = samples.get(c.name);
  return { command: c.name, runs: s.length, wall_s: median(s.map((x) => x.wall)), cpu_s: median(s.map((x) => x.cpu)), min_wall_s: Math.min(...s.map((x) => x.wall)) };
});
const byName = Object.fromEntries(rows.map((r) => [r.command, r]));
const ratio = (a, b) => (byName[a] && byName[b] && byName[b].wall_s > 0 ? { wall: byName[a].wall_s / byName[b].wall_s, cpu: byName[b].cpu_s > 0 ? byName[a].cpu_s / byName[b].cpu_s : null } : null);
const ratios = {
  version_vs_node: ratio('hpcbench --version', 'node -e 0'),
  help_vs_node: ratio('hpcbench --help', 'node -e 0'),
  status_vs_ssh_squeue: ratio('hpcbench status <run>', 'ssh host squeue'),
  status_vs_ssh_squeue_sacct: ratio('hpcbench status <run>', 'ssh host "squeue; sacct"'),
  status_vs_node_ssh2_floor: ratio('hpcbench status <run>', 'node + ssh2: squeue & sacct'),
  status_via_bastion_vs_ssh_squeue: ratio('hpcbench status <run>, via bastion', 'ssh -J bastion host squeue'),
  status_via_bastion_vs_ssh_squeue_sacct: ratio('hpcbench status <run>, via bastion', 'ssh -J bastion host "squeue; sacct"'),
  [`status_${RELAY_DELAY_MS * 2}_ms_rtt_vs_ssh_squeue`]: ratio(`hpcbench status <run>, ${RELAY_DELAY_MS * 2} ms RTT`, `ssh host squeue, ${RELAY_DELAY_MS * 2} ms RTT`),
  [`status_${RELAY_DELAY_MS * 2}_ms_rtt_vs_ssh_squeue_sacct`]: ratio(`hpcbench status <run>, ${RELAY_DELAY_MS * 2} ms RTT`, `ssh host "squeue; sacct", ${RELAY_DELAY_MS * 2} ms RTT`),
  [`status_${RELAY_DELAY_MS * 2}_ms_rtt_vs_node_ssh2_floor`]: ratio(`hpcbench status <run>, ${RELAY_DELAY_MS * 2} ms RTT`, `node + ssh2: squeue & sacct, ${RELAY_DELAY_MS * 2} ms RTT`),
  ...(option('--compare-bin') ? { status_vs_compare_bin: ratio('hpcbench status <run>', 'status, --compare-bin build') } : {}),
};

const fmt = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}×`);
const md = [
  `# cli-start (${new Date().toISOString()}, ${runs} interleaved rounds, load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)})`,
  '',
  '| command | median wall | median CPU (user+sys) | fastest wall |',
  '|---|---|---|---|',
  ...rows.map((r) => `| \`${r.command}\` | ${(r.wall_s * 1000).toFixed(0)} ms | ${(r.cpu_s * 1000).toFixed(0)} ms | ${(r.min_wall_s * 1000).toFixed(0)} ms |`),
  '',
  '| ratio | wall | CPU |',
  '|---|---|---|',
  ...Object.entries(ratios).map(([k, v]) => `| ${k.replaceAll('_', ' ')} | ${fmt(v?.wall)} | ${fmt(v?.cpu)} |`),
  ...(cluster.skipped ? ['', `Status rows left out: ${cluster.skipped}.`] : ['', `Cluster: ${cluster.target}; status of a completed one-job run (one squeue and one sacct call). Via bastion: the cluster's own sshd as the ProxyJump hop, both clients reading one ssh_config. RTT rows: through bench/latency-relay.mjs, which holds every chunk ${RELAY_DELAY_MS} ms each way.`]),
  ...(option('--compare-bin') ? ['', `--compare-bin build: commit ${spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dirname(option('--compare-bin')), encoding: 'utf8' }).stdout.trim() || 'unknown'}; this build: commit ${spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim()}.`] : []),
  '',
].join('\n');
console.log(md);
if (fullSize) {
  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'cli-start.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, load: { before: loadBefore, after: loadAfter }, rows, ratios, cluster: cluster.skipped ? { skipped: cluster.skipped } : { target: cluster.target } }, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'cli-start.md'), md);
  console.error('written bench/results/cli-start.json and cli-start.md');
} else {
  console.error(`quick run (HPCBENCH_BENCH_SCALE=${scale}): results not written`);
}
