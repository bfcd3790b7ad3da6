// The multinode template samples GPUs on every node: one background `srun --overlap` step runs
// nvidia-smi once per node into nvidia-smi-<host>.csv, and the EXIT trap stops it. Run here with
// stub srun (one copy of the command per node, each with its own hostname), hostname, torchrun
// and nvidia-smi first on PATH.
import { execFileSync } from 'node:child_process';
import { stillRunning } from '../support/processes.js';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun, type RenderedRun } from '../../../src/render/index.js';
import { configFromObjects, fileOf, renderFixture } from './helpers.js';
import { createSandbox, runScriptSync, type Sandbox } from './run-script.js';

/** Runs "$@" once per node (--nodes=N) with HPCB_TEST_HOST=node<i>; SIGTERM is passed on to them. */
const SRUN_STUB = `#!/bin/bash
echo "srun $*" >>"$HPCB_TEST_CALL_LOG"
echo $$ >>"$HPCB_TEST_CALL_LOG.srun-pids"
n=1
name=
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in --nodes=*) n=\${1#--nodes=} ;; --job-name=*) name=\${1#--job-name=} ;; esac
  shift
done
[[ $n =~ ^[0-9]+$ ]] || n=1
pids=()
stop() { kill -TERM "\${pids[@]}" 2>/dev/null; }
trap stop TERM
for ((i = 1; i <= n; i++)); do HPCB_TEST_HOST=node$i "$@" & pids+=($!); done
# The sidecar step's per-node processes, for the workload stub to wait on.
[[ $name == hpcbench-gpu-sidecar ]] && printf '%s\n' "\${pids[@]}" >>"$HPCB_TEST_CALL_LOG.sidecar-node-pids"
while true; do
  wait
  (($? > 128)) || break
done
`;

const HOSTNAME_STUB = `#!/bin/bash
echo "\${HPCB_TEST_HOST:-node1}"
`;

/**
 * The workload: waits (at most 60 s, for a busy machine) until every node's sampler has written a
 * line, then ends. Without nvidia-smi, it waits instead until every node's sidecar process has
 * printed its note and ended by itself, so the exit trap never races the notes.
 */
const TORCHRUN_STUB = `#!/bin/bash
if ! command -v nvidia-smi >/dev/null; then
  pids_file=$HPCB_TEST_CALL_LOG.sidecar-node-pids
  for ((i = 0; i < 600; i++)); do
    if [[ -s $pids_file ]] && (($(wc -l <"$pids_file") >= 2)); then
      alive=0
      while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$pids_file"
      ((alive)) || exit 0
    fi
    sleep 0.1
  done
  exit 0
fi
for ((i = 0; i < 600; i++)); do
  if [[ -s $HPCBENCH_OUT_DIR/nvidia-smi-node1.csv && -s $HPCBENCH_OUT_DIR/nvidia-smi-node2.csv ]]; then exit 0; fi
  if [[ -s $HPCBENCH_OUT_DIR/nvidia-smi.csv ]]; then exit 0; fi
  sleep 0.1
done
exit 0
`;

/** One GPU per node, its uuid named after the node; the sampler loops until killed. */
const NVIDIA_SMI_STUB = `#!/bin/bash
host=\${HPCB_TEST_HOST:-node1}
echo "nvidia-smi $host LC_ALL=\${LC_ALL-} $*" >>"$HPCB_TEST_CALL_LOG"
case "$*" in
  *--query-gpu=index,name,driver_version,uuid,memory.total*) echo "0, NVIDIA Fake, 550.54, GPU-$host, 81559" ;;
  *)
    echo $$ >>"$HPCB_TEST_CALL_LOG.sampler-pids"
    while true; do echo "2026/11/24 06:15:00.000, 0, GPU-$host, 00000000:01:00.0, Fake, 550.54, 97, 40, 1000, 81559, 300.5, 60, 1980, 2619"; sleep 0.1; done ;;
esac
`;

function addStubs(box: Sandbox, nvidiaSmi: boolean): void {
  const stub = (name: string, text: string): void => {
    writeFileSync(join(box.bin, name), text);
    chmodSync(join(box.bin, name), 0o755);
  };
  stub('srun', SRUN_STUB);
  stub('hostname', HOSTNAME_STUB);
  stub('torchrun', TORCHRUN_STUB);
  if (nvidiaSmi) stub('nvidia-smi', NVIDIA_SMI_STUB);
}

function multinodeRun(runId: string, gpuRequest?: 'gres' | 'gpus-per-node'): RenderedRun {
  const partition = gpuRequest ? { gpu: { kind: 'gpu', gpus_per_node: 2, cpus_per_node: 8, mem_per_node: '22G', max_time: '01:00:00', gpu_request: gpuRequest } } : undefined;
  const config = configFromObjects(partition ? { partitions: partition } : {}, {
    partition: 'gpu',
    command: 'train.py --epochs 1',
    resources: { time: 5, nodes: 2, gpus: 2 },
    profiling: { interval_ms: 250 },
  });
  return renderRun(config, 'exp', { runId });
}

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

/** The sidecar's srun command, from `srun` to the closing `&`, joined into one line. */
function sidecarCommand(script: string): string {
  const start = script.indexOf('  srun --overlap');
  const end = script.indexOf('</dev/null &', start);
  expect(start, 'no sidecar srun in the script').toBeGreaterThan(0);
  return script.slice(start, end).replace(/\\\n\s*/g, '');
}

describe('the multinode GPU sidecar', () => {
  it('starts one overlapping srun step over every node with the job GPU request and quoted arguments', () => {
    const script = fileOf(renderFixture('multi'), 'scripts/multi.sbatch');
    const command = sidecarCommand(script);
    expect(command).toMatch(/^ {2}srun --overlap --quiet --kill-on-bad-exit=0 /);
    expect(command).toContain('--nodes="$SLURM_JOB_NUM_NODES" --ntasks="$SLURM_JOB_NUM_NODES" --ntasks-per-node=1 --cpus-per-task=1');
    expect(command).toContain('--gres=gpu:4 ');
    expect(command).toContain('>>"$HPCBENCH_OUT_DIR/nvidia-smi-$host.csv"');
    expect(command).toMatch(/' hpcbench-gpu-sidecar timestamp,index,uuid,[a-z_.,]+ -l 1 $/);
    // Single-node sampler is still there for a one-node allocation.
    expect(script).toMatch(/^ {2}hpcb_start_sidecar$/m);
  });

  it('asks for --gpus-per-node when the partition requests GPUs that way', () => {
    const command = sidecarCommand(fileOf(multinodeRun('r1', 'gpus-per-node'), 'scripts/exp.sbatch'));
    expect(command).toContain('--gpus-per-node=2 ');
    expect(command).not.toContain('--gres=');
  });

  it('writes one nvidia-smi-<host>.csv per node and stops every sampler on exit', () => {
    const rendered = multinodeRun('r2');
    const box = createSandbox(rendered, { nvidiaSmi: false });
    addStubs(box, true);
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '11', SLURM_JOB_NUM_NODES: '2', SLURM_JOB_NODELIST: 'node[1-2]' });
    expect(result.status, result.stderr).toBe(0);
    const out = join(box.runDir, 'out/exp/main');
    for (const host of ['node1', 'node2']) {
      const lines = readFileSync(join(out, `nvidia-smi-${host}.csv`), 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toMatch(new RegExp(`^2026/11/24 06:15:00.000, 0, GPU-${host},`));
    }
    expect(existsSync(join(out, 'nvidia-smi.csv'))).toBe(false);
    const calls = readFileSync(box.callLog, 'utf8');
    expect(calls).toMatch(/^srun --overlap .* bash -c /m);
    for (const host of ['node1', 'node2']) expect(calls).toMatch(new RegExp(`^nvidia-smi ${host} LC_ALL=C --query-gpu=timestamp,index,uuid,\\S+ --format=csv,noheader,nounits -lms 250$`, 'm'));
    const samplers = pidsIn(`${box.callLog}.sampler-pids`);
    expect(samplers).toHaveLength(2);
    expect(samplers.filter(stillRunning)).toEqual([]);
    expect(pidsIn(`${box.callLog}.srun-pids`).filter(stillRunning)).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'exit.json'), 'utf8'))).toMatchObject({ exit_code: 0 });
  }, 90_000);

  it('tolerates nodes without nvidia-smi: a note per node in job.err, no samples, the job completes', () => {
    const box = createSandbox(multinodeRun('r3'), { nvidiaSmi: false });
    addStubs(box, false);
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '12', SLURM_JOB_NUM_NODES: '2', SLURM_JOB_NODELIST: 'node[1-2]' });
    expect(result.status, result.stderr).toBe(0);
    for (const host of ['node1', 'node2']) expect(result.stderr).toContain(`nvidia-smi not found on ${host}: GPU sampling skipped there`);
    const out = join(box.runDir, 'out/exp/main');
    expect(existsSync(join(out, 'nvidia-smi-node1.csv'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'exit.json'), 'utf8'))).toMatchObject({ exit_code: 0 });
  }, 90_000);

  it('keeps the single-node sampler and nvidia-smi.csv on one node, and reads a hostile node count as data', () => {
    for (const [runId, nodes] of [
      ['r4', '1'],
      ['r5', 'a[$(touch pwned-nodes)]'],
    ] as const) {
      const box = createSandbox(multinodeRun(runId), { nvidiaSmi: false });
      addStubs(box, true);
      const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '13', SLURM_JOB_NUM_NODES: nodes, SLURM_JOB_NODELIST: 'node1' });
      const out = join(box.runDir, 'out/exp/main');
      expect(readFileSync(join(out, 'nvidia-smi.csv'), 'utf8')).toMatch(/^2026\/11\/24 06:15:00.000, 0, GPU-node1,/);
      expect(existsSync(join(out, 'nvidia-smi-node1.csv'))).toBe(false);
      expect(readFileSync(box.callLog, 'utf8')).not.toMatch(/^srun --overlap/m);
      expect(execFileSync('find', [box.root, '-name', 'pwned*'], { encoding: 'utf8' })).toBe('');
      expect(pidsIn(`${box.callLog}.sampler-pids`).filter(stillRunning)).toEqual([]);
      expect(result.status, result.stderr).toBe(0);
    }
  });
});
