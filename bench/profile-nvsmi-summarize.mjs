// hpcbench's side of the nvidia-smi benchmark, run as its own process so /usr/bin/time measures
// its wall time and peak RSS alone: the full streaming summariser (every metric, not only the
// ones compared), printing per-GPU mean/p50/p95 of utilization and memory as JSON.
import { summarizeQueryGpuLogs } from '../dist/profile/gpu/nvidia-smi-query-files.js';
import { BENCH_FIELDS } from './profile-nvsmi-generate.mjs';

const file = process.argv[2];
const metrics = await summarizeQueryGpuLogs([file], { fields: BENCH_FIELDS });
const pick = (d) => (d ? { mean: d.mean, p50: d.p50, p95: d.p95 } : null);
process.stdout.write(
  JSON.stringify({
    rows: metrics.gpus.reduce((n, g) => n + g.samples, 0),
    rejected: metrics.rejected.count,
    gpus: metrics.gpus.map((g) => ({ index: g.index, utilization: pick(g.utilization), memoryUsedMiB: pick(g.memoryUsedMiB) })),
  }),
);
