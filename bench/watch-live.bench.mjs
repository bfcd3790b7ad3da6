#!/usr/bin/env node
// Benchmark: the cost of a live watch of N running tasks per poll cycle, on the SLURM test
// cluster's sshd. hpcbench's live view (one remote command per cycle on its one connection, every
// task's new bytes framed in the answer: src/runs/live-reader.ts) against what people write by
// hand: the OpenSSH client run once per file per cycle (`ssh host tail -c +OFFSET FILE`), plain
// and with connection sharing (ControlMaster), all side by side in one run on the same files.
//
//   node bench/watch-live.bench.mjs [--tasks 100] [--cycles 4] [--interval 2]
//
// Each task has a Trainer-style job.out and an nvidia-smi.csv that a writer on the cluster grows
// by one line a second (a 100-task array at 2 files each), plus a metadata.json; job states are
// not polled here (squeue's cost is bench/submit-poll's: one call per cycle for all jobs) and
// sstat is off (these tasks are not jobs). Needs a build (npm run build) and the test cluster.
// Results: bench/results/watch-live.json and .md (full runs only, not under HPCBENCH_BENCH_SCALE).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const reportOnly = args.includes('--report-only');
const scale = Number(process.env.HPCBENCH_BENCH_SCALE ?? '1');
const quick = scale < 1;
const tasks = Number(option('--tasks') ?? Math.max(5, Math.round(100 * scale)));
const cycles = Number(option('--cycles') ?? (quick ? 2 : 4));
const intervalS = Number(option('--interval') ?? '2');
const resultsDir = join(here, 'results');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
let results = [];
let load = [];
if (!reportOnly) {
if (!existsSync(join(root, 'dist', 'runs', 'live-watch.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}
const clusterFile = process.env.HPCBENCH_TEST_CLUSTER ?? join(root, 'tests', 'cluster', '.state', 'cluster.json');
if (!existsSync(clusterFile)) {
  console.error(`${clusterFile} does not exist: start the test cluster with sudo bash tests/cluster/up.sh`);
  process.exit(2);
}

const { connectCluster } = await import('../dist/runs/connect.js');
const { LiveWatcher } = await import('../dist/runs/live-watch.js');
const { quoteShell } = await import('../dist/shell-quote.js');

const cluster = JSON.parse(readFileSync(clusterFile, 'utf8'));
const runCluster = {
  name: cluster.clusterName,
  transport: 'ssh',
  ssh: { host: cluster.host, port: cluster.port, user: cluster.username, identity_file: cluster.privateKeyPath, known_hosts: cluster.knownHostsPath },
  workdir: cluster.remoteWorkdir,
};
const FIELDS = ['timestamp', 'index', 'utilization.gpu', 'memory.used', 'memory.total'];

const transport = connectCluster(runCluster, { agent: false, interactive: false });
const base = `${cluster.remoteWorkdir}/bench-live-${process.pid}-${Date.now().toString(36)}`;
const taskDir = (i) => `${base}/out/train/${i}`;

// The writer: every second one Trainer line per job.out and one sidecar row per CSV, as N tasks would.
const writer = [
  'set -eu',
  `base=${quoteShell(base)}; n=${tasks}`,
  'for i in $(seq 0 $((n - 1))); do d="$base/out/train/$i"; mkdir -p "$d"',
  `  printf '{"slurm": {"SLURM_MEM_PER_NODE": "4096"}}\\n' >"$d/metadata.json"`,
  `  printf '***** Running training *****\\n  Total optimization steps = 100000\\n' >"$d/job.out"; : >"$d/nvidia-smi.csv"; done`,
  'step=0',
  'while [ ! -e "$base/stop" ] && [ $step -lt 900 ]; do step=$((step + 1)); now=$(date -u "+%Y/%m/%d %H:%M:%S.000")',
  '  for i in $(seq 0 $((n - 1))); do d="$base/out/train/$i"',
  `    printf "{'loss': 1.0, 'learning_rate': 5e-05, 'epoch': 0.01, 'step': %d}\\n" $step >>"$d/job.out"`,
  `    printf '%s, 0, %d, %d, 81920\\n' "$now" $((step % 100)) $((1000 + step)) >>"$d/nvidia-smi.csv"; done`,
  '  sleep 1; done',
].join('\n');

console.error(`[bench] ${tasks} tasks, ${cycles} cycles, ${intervalS} s apart; files under ${base}`);
await transport.mkdirp(base);
await transport.writeFile(`${base}/writer.sh`, writer);
const started = await transport.execShell(`nohup bash ${quoteShell(`${base}/writer.sh`)} >/dev/null 2>&1 </dev/null & echo $!`);
const writerPid = started.stdout.trim();
await delay(3000);

const liveTasks = Array.from({ length: tasks }, (_, i) => ({
  experiment: 'train',
  task: String(i),
  jobId: String(900000 + i),
  checkpointing: false,
  outDir: taskDir(i),
  trainingLog: `${taskDir(i)}/train.jsonl`,
  gpuFields: FIELDS,
}));
const growing = liveTasks.flatMap((t) => [`${t.outDir}/job.out`, `${t.outDir}/nvidia-smi.csv`]);

async function measureHpcbench() {
  const counters = { commands: 0, bytesIn: 0, bytesOut: 0 };
  const watcher = new LiveWatcher({ transport, thresholds: { sstat: false }, counters });
  const rows = [];
  for (let c = 0; c < cycles; c++) {
    const before = { ...counters };
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const cycle = await watcher.poll(liveTasks, Date.now());
    const wallS = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    rows.push({
      cycle: c + 1,
      wallS,
      controllerCpuS: (used.user + used.system) / 1e6,
      sshConnections: c === 0 ? 1 : 0,
      remoteCommands: counters.commands - before.commands,
      bytesReceived: counters.bytesIn - before.bytesIn,
      bytesSent: counters.bytesOut - before.bytesOut,
      tasksWithProgress: cycle.tasks.filter((t) => (t.progress?.done ?? 0) > 0).length,
      tasksWithGpu: cycle.tasks.filter((t) => t.gpu?.utilizationPct !== undefined).length,
    });
    await delay(intervalS * 1000);
  }
  return { approach: 'hpcbench (one command per cycle, one connection)', files: growing.length, cycles: rows };
}

const sshBase = ['-i', cluster.privateKeyPath, '-o', `UserKnownHostsFile=${cluster.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(cluster.port)];

/**
 * CPU seconds of the children this process has waited for (cutime + cstime of /proc/self/stat):
 * the ssh clients, summed exactly over a cycle instead of rounded one by one. A ControlMaster's
 * background master is not a waited child: its CPU is not in this figure.
 */
function childCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, cutime 16 and cstime 17 (1-based) → indices 13, 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** `ssh host tail -c +OFFSET file` for every growing file, one after another, as a shell loop does. */
async function measureSshTail(label, extra) {
  const offsets = new Map(growing.map((f) => [f, 0]));
  const rows = [];
  for (let c = 0; c < cycles; c++) {
    let wall = 0;
    let bytes = 0;
    const cpu0 = childCpuSeconds();
    for (const file of growing) {
      const t0 = performance.now();
      const run = spawnSync('ssh', [...sshBase, ...extra, `${cluster.username}@${cluster.host}`, `tail -c +${(offsets.get(file) ?? 0) + 1} ${quoteShell(file)}`], { maxBuffer: 64 << 20 });
      wall += (performance.now() - t0) / 1000;
      bytes += run.stdout.length;
      // Whole lines only, as hpcbench does: the cut line is read again next time.
      const last = run.stdout.lastIndexOf(10);
      offsets.set(file, (offsets.get(file) ?? 0) + last + 1);
    }
    const cpu = childCpuSeconds() - cpu0;
    rows.push({ cycle: c + 1, wallS: wall, controllerCpuS: cpu, sshConnections: extra.length === 0 ? growing.length : c === 0 ? 1 : 0, remoteCommands: growing.length, bytesReceived: bytes, bytesSent: null });
    await delay(intervalS * 1000);
  }
  return { approach: label, files: growing.length, cycles: rows };
}

const controlDir = mkdtempSync(join(tmpdir(), 'hpcbench-cm-'));
load = [loadavg()[0]];
try {
  console.error('[bench] hpcbench');
  results.push(await measureHpcbench());
  console.error('[bench] ssh + tail per file');
  results.push(await measureSshTail('ssh host tail -c +OFFSET, per file', []));
  console.error('[bench] ssh + tail per file, ControlMaster');
  results.push(await measureSshTail('ssh host tail -c +OFFSET, per file, ControlMaster', ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlDir}/%C`, '-o', 'ControlPersist=120']));
} finally {
  load.push(loadavg()[0]);
  spawnSync('ssh', [...sshBase, '-o', `ControlPath=${controlDir}/%C`, '-O', 'exit', `${cluster.username}@${cluster.host}`], { stdio: 'ignore' });
  await transport.execShell(`touch ${quoteShell(`${base}/stop`)}; kill ${/^\d+$/.test(writerPid) ? writerPid : '0'} 2>/dev/null; sleep 1; rm -rf -- ${quoteShell(base)}`).catch(() => undefined);
  await transport.close();
}

}
const prior = reportOnly ? JSON.parse(readFileSync(join(resultsDir, 'watch-live.json'), 'utf8')) : undefined;
if (prior) {
  results = prior.results;
  load = prior.environment.loadAverage1m;
}
const env = prior?.environment ?? { node: process.version, tasks, cycles, intervalS, loadAverage1m: load, cluster: 'single-node test cluster, loopback sshd' };

// The first cycle reads every file from its start (the backlog); later cycles are the steady state.
const steady = (r, key) => median(r.cycles.slice(1).map((c) => c[key]).filter((v) => v !== null));
const summary = results.map((r) => ({
  approach: r.approach,
  files: r.files,
  remoteCommandsPerCycle: steady(r, 'remoteCommands'),
  newSshConnectionsPerCycle: steady(r, 'sshConnections'),
  bytesReceivedPerCycle: steady(r, 'bytesReceived'),
  wallSPerCycle: steady(r, 'wallS'),
  controllerCpuSPerCycle: steady(r, 'controllerCpuS'),
  // New data accumulates while a cycle runs: per second of log growth the payload is the same.
  bytesPerSecondOfGrowth: steady(r, 'bytesReceived') / (steady(r, 'wallS') + env.intervalS),
  firstCycleWallS: r.cycles[0]?.wallS ?? null,
}));
const h = summary[0];
const ratios = summary.slice(1).map((s) => ({
  approach: s.approach,
  wall: s.wallSPerCycle / h.wallSPerCycle,
  controllerCpu: s.controllerCpuSPerCycle / h.controllerCpuSPerCycle,
  remoteCommands: s.remoteCommandsPerCycle / h.remoteCommandsPerCycle,
  bytesPerSecondOfGrowth: s.bytesPerSecondOfGrowth / h.bytesPerSecondOfGrowth,
}));
const doc = {
  benchmark: 'watch-live',
  date: prior?.date ?? new Date().toISOString(),
  environment: env,
  note: 'Per cycle: the median over cycles 2.. (cycle 1 reads the files from their start). controllerCpuS: CPU time on the watching machine (hpcbench: its process; ssh loop: the ssh clients, cutime + cstime of the benchmark process, without a ControlMaster\'s background master). squeue is not included: one call per cycle for all jobs either way the logs are read (bench/submit-poll).',
  results,
  summary,
  ratios,
};
const fmt = (v, d = 2) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(d));
const md = [
  `# watch-live: reading the logs of ${env.tasks} running tasks per poll cycle`,
  '',
  `${doc.date} · Node ${env.node} · ${env.tasks} tasks × 2 growing files (Trainer job.out, nvidia-smi.csv), a line a second each · ${env.cycles} cycles ${env.intervalS} s apart · load ${load.map((l) => l.toFixed(2)).join(' → ')}`,
  '',
  '| approach | remote commands / cycle | new SSH connections / cycle | bytes received / cycle | bytes / s of log growth | wall time / cycle (s) | controller CPU / cycle (s) | first cycle wall (s) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...summary.map((s) => `| ${s.approach} | ${fmt(s.remoteCommandsPerCycle)} | ${fmt(s.newSshConnectionsPerCycle)} | ${fmt(s.bytesReceivedPerCycle, 0)} | ${fmt(s.bytesPerSecondOfGrowth, 0)} | ${fmt(s.wallSPerCycle)} | ${fmt(s.controllerCpuSPerCycle, 3)} | ${fmt(s.firstCycleWallS)} |`),
  '',
  '| against hpcbench | wall time / cycle | controller CPU / cycle | remote commands / cycle | bytes / s of log growth |',
  '|---|---:|---:|---:|---:|',
  ...ratios.map((r) => `| ${r.approach} | ${fmt(r.wall, 1)}× | ${fmt(r.controllerCpu, 1)}× | ${fmt(r.remoteCommands, 0)}× | ${fmt(r.bytesPerSecondOfGrowth)}× |`),
  '',
  doc.note,
  `hpcbench also reads what the ssh loop does not (job.err, train.jsonl, metadata.json once: ${env.tasks * 5} paths in its request, missing ones answered in one line) and still sends one command.`,
  'Bytes per cycle follow from the cycle\'s length (a slower loop finds more new lines); per second of log growth every approach receives about the same payload, hpcbench\'s framing included.',
  'On the cluster, hpcbench\'s one command still starts a `stat` per file and `tail | head | tr` per file that grew (about 1,000 short processes per cycle at 100 tasks); the ssh loop starts a login shell and a `tail` per file.',
  '',
].join('\n');
console.log(md);
if (quick) {
  console.error('[bench] quick run (HPCBENCH_BENCH_SCALE < 1): results not written');
} else {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'watch-live.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'watch-live.md'), md);
}
const h1 = results[0].cycles.at(-1);
if (h1.tasksWithProgress !== env.tasks || h1.tasksWithGpu !== env.tasks) {
  console.error(`[bench] hpcbench saw progress for ${h1.tasksWithProgress} and GPU rows for ${h1.tasksWithGpu} of ${env.tasks} tasks`);
  process.exit(1);
}
