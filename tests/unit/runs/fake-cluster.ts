// A fake Transport that plays a tiny SLURM: sbatch creates jobs, squeue/sacct report them in
// the real output formats (so the real parsers run), scancel cancels. Every call is recorded,
// so tests can count commands per cycle and inject faults at exact points.
import { SACCT_FIELDS } from '../../../src/slurm/sacct.js';
import { UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import { formatSqueueRow } from '../slurm/squeue-rows.js';
import type { DownloadResult, ExecOptions, ExecResult, RemoteDirEntry, RemoteStat, Transport } from '../../../src/transport/transport.js';

export interface FakeJob {
  id: string;
  name: string;
  comment: string;
  workDir: string;
  state: string;
  reason?: string;
  elapsed?: string;
  timeLimit?: string;
  nodes?: string;
  exitCode?: string;
  /** Gone from squeue (MinJobAge) but still in sacct. */
  agedOut?: boolean;
  submitTime?: string;
  /**
   * Earlier attempts of a requeued job (same id), oldest first: `sacct --duplicates` lists each
   * as its own row (with its batch step) before the rows of the current attempts, as slurmdbd does.
   */
  attempts?: { state: string; exitCode?: string }[];
  /** The job's owner; the account the fake runs commands as is `hpcb`. */
  user?: string;
  /** sbatch's --dependency, --array and --export as given (for tests of what was asked). */
  dependency?: string;
  array?: string;
  exports?: string;
}

export type Fault = (argv: readonly string[], call: number) => ExecResult | Error | undefined;

const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', code: 0 });

function flag(argv: readonly string[], name: string): string | undefined {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

/** A unique numeric raw id for an array task `700_1` (tests keep task ids below 100). */
function rawId(id: string): string {
  const [job, task] = id.split('_');
  return task === undefined ? id : String(Number(job) * 100 + Number(task));
}

/** `1,3-4%2` → ['1', '3', '4']. */
function expandTasks(spec: string): string[] {
  return (spec.split('%')[0] ?? '').split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) return [];
    const end = b === undefined || Number.isNaN(b) ? a : b;
    return Array.from({ length: end - a + 1 }, (_, i) => String(a + i));
  });
}

export class FakeCluster implements Transport {
  readonly kind = 'ssh' as const;
  readonly target = 'fake@cluster:22';
  readonly jobs = new Map<string, FakeJob>();
  readonly calls: string[][] = [];
  readonly uploads: string[] = [];
  nextId = 100;
  accounting = true;
  /** Consulted before every exec; return a result or an Error to inject a fault. */
  fault: Fault | undefined;
  workdirState: 'ok' | 'missing' | 'readonly' = 'ok';
  modelsPresent = new Set<string>();
  /**
   * sbatch --array=<list> creates one job per task (`<id>_<task>`, state PENDING) instead of one
   * job, so squeue/sacct answer per task as SLURM does. Ranges (`0-5%2`) are expanded too.
   */
  expandArrays = false;
  /** Remote files readFile can return (path → content). */
  readonly files = new Map<string, string>();

  count(command: string): number {
    return this.calls.filter((c) => c[0] === command).length;
  }

  addJob(job: Partial<FakeJob> & { id: string }): FakeJob {
    const full: FakeJob = { name: 'job', comment: '', workDir: '/w', state: 'PENDING', ...job };
    this.jobs.set(full.id, full);
    return full;
  }

  /** squeue and sacct with --user=<name> list only that user's jobs. */
  private ownedBy(j: FakeJob, user: string | undefined): boolean {
    return user === undefined || (j.user ?? 'hpcb') === user;
  }

  private squeueRow(j: FakeJob): string {
    // An array task is added as `700_1` (its raw id made unique by the task id).
    const [arrayJobId, arrayTaskId] = j.id.split('_');
    const values: Record<string, string> = {
      jobId: j.id,
      jobIdRaw: rawId(j.id),
      arrayJobId: arrayJobId ?? j.id,
      arrayTaskId: arrayTaskId ?? 'N/A',
      name: j.name,
      state: j.state,
      reason: j.reason ?? 'None',
      elapsed: j.elapsed ?? '0:00',
      timeLimit: j.timeLimit ?? '5:00',
      nodes: j.nodes ?? '',
      nodeCount: '1',
      cpus: '1',
      partition: 'cpu',
      user: j.user ?? 'hpcb',
      account: 'acct',
      submitTime: j.submitTime ?? '2026-11-24T06:00:00',
      startTime: 'N/A',
      workDir: j.workDir,
      comment: j.comment,
    };
    return formatSqueueRow(values);
  }

  private sacctRow(fields: readonly string[], j: FakeJob, attempt?: { state: string; exitCode?: string }): string {
    const values: Record<string, string> = {
      JobID: j.id,
      JobIDRaw: rawId(j.id),
      JobName: j.name,
      Partition: 'cpu',
      State: attempt?.state ?? j.state,
      ExitCode: attempt?.exitCode ?? j.exitCode ?? '0:0',
      DerivedExitCode: '0:0',
      Elapsed: j.elapsed ?? '00:00:00',
      ElapsedRaw: '0',
      TotalCPU: '00:00:00',
      NCPUS: '1',
      AllocTRES: '',
      ReqTRES: '',
      ReqMem: '512M',
      MaxRSS: '',
      Submit: '2026-11-24T06:00:00',
      Start: 'Unknown',
      End: 'Unknown',
      NodeList: j.nodes ?? 'None assigned',
      Comment: '',
      Timelimit: j.timeLimit ?? '00:05:00',
      AllocNodes: '1',
      User: 'hpcb',
      Account: 'acct',
      WorkDir: j.workDir,
      Reason: j.reason ?? 'None',
    };
    return fields.map((key) => values[key] ?? '').join(UNIT_SEPARATOR);
  }

  /** The batch step row of an attempt, so tests see that steps of earlier attempts are not counted twice. */
  private sacctStepRow(fields: readonly string[], j: FakeJob, attempt?: { state: string; exitCode?: string }): string {
    const values: Record<string, string> = {
      JobID: `${j.id}.batch`,
      JobIDRaw: `${rawId(j.id)}.batch`,
      JobName: 'batch',
      State: attempt?.state === 'REQUEUED' ? 'CANCELLED' : (attempt?.state ?? j.state),
      ExitCode: attempt?.exitCode ?? j.exitCode ?? '0:0',
      Elapsed: '00:00:01',
      ElapsedRaw: '1',
      NCPUS: '1',
      MaxRSS: '1024K',
    };
    return fields.map((key) => values[key] ?? '').join(UNIT_SEPARATOR);
  }

  private matches(j: FakeJob, ids: readonly string[] | undefined): boolean {
    return !ids || ids.includes(j.id) || ids.includes(j.id.split('_')[0] ?? j.id);
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.calls.push([...argv]);
    const injected = this.fault?.(argv, this.calls.length);
    if (injected instanceof Error) throw injected;
    if (injected) return injected;
    return this.run(argv, opts);
  }

  /** What the command does when no fault is injected (fault hooks may call it, then lose the answer). */
  run(argv: readonly string[], opts: ExecOptions = {}): ExecResult {
    const [command] = argv;
    switch (command) {
      case 'sbatch': {
        if (argv.includes('--test-only')) {
          return { stdout: '', stderr: `sbatch: Job 1 to start at 2026-11-24T06:00:00 using 1 processors on nodes n1 in partition cpu\n${opts.stdin === undefined ? 'no stdin' : ''}`, code: 0 };
        }
        const id = String(this.nextId++);
        const asked: Partial<FakeJob> = {};
        for (const [key, name] of [['dependency', 'dependency'], ['array', 'array'], ['exports', 'export']] as const) {
          const value = flag(argv, name);
          if (value !== undefined) asked[key] = value;
        }
        const base = { name: flag(argv, 'job-name') ?? 'job', comment: flag(argv, 'comment') ?? '', workDir: flag(argv, 'chdir') ?? '/w', ...asked };
        if (this.expandArrays && asked.array !== undefined) {
          for (const task of expandTasks(asked.array)) this.addJob({ ...base, id: `${id}_${task}` });
        } else {
          this.addJob({ ...base, id });
        }
        return ok(`${id}\n`);
      }
      case 'squeue': {
        const ids = flag(argv, 'jobs')?.split(',');
        const names = flag(argv, 'name')?.split(',');
        const rows = [...this.jobs.values()].filter((j) => !j.agedOut && this.matches(j, ids) && (!names || names.includes(j.name)) && this.ownedBy(j, flag(argv, 'user')));
        if (ids && rows.length === 0) return { stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n', code: 1 };
        return ok(rows.map((j) => `${this.squeueRow(j)}\n`).join(''));
      }
      case 'sacct': {
        if (!this.accounting) return { stdout: '', stderr: 'sacct: error: Slurm accounting storage is disabled\n', code: 1 };
        const ids = flag(argv, 'jobs')?.split(',');
        const names = flag(argv, 'name')?.split(',');
        const rows = [...this.jobs.values()].filter((j) => this.matches(j, ids) && (!names || names.includes(j.name)) && this.ownedBy(j, flag(argv, 'user')));
        // The columns asked for, in their order, as sacct prints them.
        const fields = flag(argv, 'format')?.split(',') ?? SACCT_FIELDS;
        const earlier = argv.includes('--duplicates')
          ? rows.flatMap((j) => (j.attempts ?? []).flatMap((a) => [this.sacctRow(fields, j, a), this.sacctStepRow(fields, j, a)]))
          : [];
        const current = rows.flatMap((j) => [this.sacctRow(fields, j), ...(j.state === 'PENDING' ? [] : [this.sacctStepRow(fields, j)])]);
        return ok([...earlier, ...current].map((row) => `${row}\n`).join(''));
      }
      case 'scancel': {
        for (const id of argv.slice(1)) {
          const j = this.jobs.get(id);
          if (j) j.state = 'CANCELLED by 1000';
        }
        return ok();
      }
      case 'id':
        return ok('hpcb\n');
      case 'mkdir':
      case 'scontrol':
        return ok();
      default:
        return { stdout: '', stderr: `fake: unknown command ${command ?? ''}`, code: 127 };
    }
  }

  async execShell(script: string): Promise<ExecResult> {
    this.calls.push(['sh', script]);
    if (script.includes('missing; elif')) return ok(`${this.workdirState}\n`);
    if (script.includes('/hub/models--')) {
      const lines = [...script.matchAll(/models--([^/']+)\/snapshots/g)].map((m) => (this.modelsPresent.has(m[1] ?? '') ? 'ok' : 'missing'));
      // Each model's check appears twice in its line (test -d and ls).
      return ok(`${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    }
    return ok();
  }

  async upload(_local: string, remote: string): Promise<void> {
    this.uploads.push(remote);
  }
  async download(): Promise<DownloadResult> {
    return { bytes: 0, skipped: true };
  }
  async mkdirp(): Promise<void> {}
  async stat(): Promise<RemoteStat | undefined> {
    return undefined;
  }
  async list(): Promise<RemoteDirEntry[]> {
    return [];
  }
  async writeFile(): Promise<void> {}
  async readFile(path: string): Promise<Buffer> {
    const content = this.files.get(path);
    if (content === undefined) throw new Error(`no such file ${path}`);
    return Buffer.from(content);
  }
  async connect(): Promise<void> {}

  async close(): Promise<void> {}
}
