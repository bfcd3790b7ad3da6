/**
 * The last resort when SLURM no longer knows a job (aged out of squeue after MinJobAge on a
 * cluster without accounting): the job's own EXIT trap wrote out/<experiment>/<task>/exit.json.
 * Reading it costs SFTP reads, not controller RPCs.
 */
import { posix } from 'node:path';
import { parseExitDocumentIfValid } from '../contracts/exit.js';
import { expandArraySpec } from '../slurm/array-spec.js';
import type { RunJob, RunRecord, TaskFactsRecord } from './run-record.js';
import type { Transport } from '../transport/transport.js';

export interface ExitFileOutcome {
  /** `COMPLETED` when every task exited 0, else `FAILED`. */
  state: 'COMPLETED' | 'FAILED';
  /** `code:signal` of the first failed task, or `0:0`. */
  exitCode: string;
  tasks: Record<string, string>;
  /** Per task: its exit code, and its restarts when exit.json says (`restart_count`). */
  taskFacts: Record<string, TaskFactsRecord>;
  /** Restarts of the task that speaks for the job (the first failed one, else the last). */
  restarts?: number;
}

interface ExitFile {
  code: number;
  signal: number;
  restarts?: number;
}

/** A task's exit.json, or undefined when it does not read: nothing is known of how that task ended. */
function readExit(text: string, path: string): ExitFile | undefined {
  const document = parseExitDocumentIfValid(text, path);
  if (document === undefined) return undefined;
  // `signal` names the checkpoint signal the script handled ("USR1"), or is a number in older files.
  const out: ExitFile = { code: document.exit_code, signal: typeof document.signal === 'number' ? document.signal : 0 };
  if (document.restart_count !== undefined) out.restarts = document.restart_count;
  return out;
}

/** The outcome from the exit.json files of every task, or undefined when any is missing or unreadable. */
export async function readExitFiles(transport: Transport, record: RunRecord, job: RunJob): Promise<ExitFileOutcome | undefined> {
  const tasks = job.array ? expandArraySpec(job.array.spec, 'run.json') : ['main'];
  const out: ExitFileOutcome = { state: 'COMPLETED', exitCode: '0:0', tasks: {}, taskFacts: {} };
  let speaker: ExitFile | undefined;
  for (const task of tasks) {
    const path = posix.join(record.remote_dir, 'out', job.experiment, task, 'exit.json');
    let text: string;
    try {
      text = (await transport.readFile(path)).toString('utf8');
    } catch {
      return undefined;
    }
    const exit = readExit(text, path);
    if (!exit) return undefined;
    const failed = exit.code !== 0 || exit.signal !== 0;
    out.tasks[task] = failed ? 'FAILED' : 'COMPLETED';
    out.taskFacts[task] = { exit_code: `${exit.code}:${exit.signal}`, ...(exit.restarts === undefined ? {} : { restarts: exit.restarts }) };
    if (failed && out.state === 'COMPLETED') {
      out.state = 'FAILED';
      out.exitCode = `${exit.code}:${exit.signal}`;
      speaker = exit;
    }
    if (out.state === 'COMPLETED') speaker = exit;
  }
  if (speaker?.restarts !== undefined) out.restarts = speaker.restarts;
  return out;
}
