/**
 * The last resort when SLURM no longer knows a job (aged out of squeue after MinJobAge on a
 * cluster without accounting): the job's own EXIT trap wrote out/<experiment>/<task>/exit.json.
 * Reading it costs SFTP reads, not controller RPCs.
 */
import { posix } from 'node:path';
import { expandArraySpec } from './manifest-file.js';
import type { RunJob, RunRecord } from './run-record.js';
import type { Transport } from '../transport/transport.js';

export interface ExitFileOutcome {
  /** `COMPLETED` when every task exited 0, else `FAILED`. */
  state: 'COMPLETED' | 'FAILED';
  /** `code:signal` of the first failed task, or `0:0`. */
  exitCode: string;
  tasks: Record<string, string>;
}

function readExit(text: string): { code: number; signal: number } | undefined {
  try {
    const value = JSON.parse(text) as { exit_code?: unknown; signal?: unknown };
    if (typeof value.exit_code !== 'number') return undefined;
    return { code: value.exit_code, signal: typeof value.signal === 'number' ? value.signal : 0 };
  } catch {
    return undefined;
  }
}

/** The outcome from the exit.json files of every task, or undefined when any is missing or unreadable. */
export async function readExitFiles(transport: Transport, record: RunRecord, job: RunJob): Promise<ExitFileOutcome | undefined> {
  const tasks = job.array ? expandArraySpec(job.array.spec) : ['main'];
  const out: ExitFileOutcome = { state: 'COMPLETED', exitCode: '0:0', tasks: {} };
  for (const task of tasks) {
    const path = posix.join(record.remote_dir, 'out', job.experiment, task, 'exit.json');
    let text: string;
    try {
      text = (await transport.readFile(path)).toString('utf8');
    } catch {
      return undefined;
    }
    const exit = readExit(text);
    if (!exit) return undefined;
    const failed = exit.code !== 0 || exit.signal !== 0;
    out.tasks[task] = failed ? 'FAILED' : 'COMPLETED';
    if (failed && out.state === 'COMPLETED') {
      out.state = 'FAILED';
      out.exitCode = `${exit.code}:${exit.signal}`;
    }
  }
  return out;
}
