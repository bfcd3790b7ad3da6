// Runs a rendered job script with real bash, outside SLURM: the run directory in a temp dir,
// SLURM variables set by hand, and stub commands (scontrol, nvidia-smi) first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeRun, type RenderedRun } from '../../../src/render/index.js';
import { tempDir } from './helpers.js';

export interface Sandbox {
  root: string;
  runDir: string;
  bin: string;
  /** Every call of a stub is appended here as "<name> LC_ALL=<…> <args>". */
  callLog: string;
}

// A requeue records what the checkpoint directory held at that moment (the checkpoint must be
// complete before the job is requeued), and fails like slurmctld when HPCB_TEST_REQUEUE_FAILS is set.
// HPCB_TEST_REQUEUE_TERMINATES: the requeue succeeds and SIGTERM reaches the script at once.
const SCONTROL_STUB = `#!/bin/bash
echo "scontrol LC_ALL=\${LC_ALL-} $*" >>"$HPCB_TEST_CALL_LOG"
if [[ $1 == show && $2 == hostnames ]]; then printf 'node1\\nnode2\\n'; fi
if [[ $1 == requeue ]]; then
  echo "checkpoint dir at requeue: $(ls "$HPCBENCH_CHECKPOINT_DIR" | tr '\\n' ' ')" >>"$HPCB_TEST_CALL_LOG"
  if [[ -n \${HPCB_TEST_REQUEUE_FAILS-} ]]; then
    echo "scontrol: error: Requested operation is presently disabled for job $2" >&2
    exit 1
  fi
  # slurmctld ends the attempt as soon as it accepts the requeue: the TERM can reach the batch
  # shell before scontrol has even returned.
  if [[ -n \${HPCB_TEST_REQUEUE_TERMINATES-} ]]; then kill -TERM "$PPID"; sleep 0.2; fi
fi
`;

/** Answers the metadata query once and the sidecar query every 0.1 s until killed. */
const NVIDIA_SMI_STUB = `#!/bin/bash
echo "nvidia-smi LC_ALL=\${LC_ALL-} $*" >>"$HPCB_TEST_CALL_LOG"
case "$*" in
  *--query-gpu=index,name,driver_version,uuid,memory.total*) echo '0, NVIDIA Fake "GPU", 550.54, GPU-0001, 81559' ;;
  *)
    echo $$ >"$HPCB_TEST_CALL_LOG.sidecar-pid"
    while true; do echo '2026/11/24 06:15:00.000, 0, GPU-0001, 00000000:01:00.0, Fake, 550.54, 97, 40, 1000, 81559, 300.5, 60, 1980, 2619'; sleep 0.1; done ;;
esac
`;

export function createSandbox(rendered: RenderedRun, options: { nvidiaSmi?: boolean } = {}): Sandbox {
  const root = tempDir('exec');
  const runDir = join(root, 'run');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeRun(runDir, rendered);
  const stub = (name: string, text: string): void => {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  };
  stub('scontrol', SCONTROL_STUB);
  if (options.nvidiaSmi) stub('nvidia-smi', NVIDIA_SMI_STUB);
  return { root, runDir, bin, callLog: join(root, 'calls.log') };
}

function sandboxEnv(box: Sandbox, extra: Record<string, string>): NodeJS.ProcessEnv {
  // Only the stub directory and the system directories: a real nvidia-smi or scontrol must not be found.
  return {
    PATH: `${box.bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: box.root,
    LANG: 'C.UTF-8',
    HPCB_TEST_CALL_LOG: box.callLog,
    ...extra,
  };
}

export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runScriptSync(box: Sandbox, script: string, env: Record<string, string> = {}): ScriptResult {
  const result = spawnSync('bash', [join(box.runDir, script)], { cwd: box.runDir, env: sandboxEnv(box, env), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the script; `signal` sends a signal to its bash process. */
export function startScript(box: Sandbox, script: string, env: Record<string, string> = {}) {
  const child = spawn('bash', [join(box.runDir, script)], { cwd: box.runDir, env: sandboxEnv(box, env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ScriptResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, done };
}
