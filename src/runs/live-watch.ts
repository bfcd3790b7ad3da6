/**
 * The live part of `watch`: for every running task, progress and ETA from its training or
 * inference log, the latest GPU sample from its sidecar CSV and memory against its limit, all
 * from ONE remote command per poll cycle (live-reader.ts) on the connection the watch already
 * holds. Warnings are raised once each (an idle GPU once per idle stretch), never every cycle.
 */
import { posix } from 'node:path';
import type { Transport } from '../transport/transport.js';
import { metadataSchema } from '../contracts/metadata.js';
import { GpuTracker, type GpuSummary } from './live-gpu.js';
import { ProgressTracker, type PlannedWork, type TaskProgress } from './live-progress.js';
import { IncrementalReader, type FileChunk, type LiveFile } from './live-reader.js';

export interface LiveThresholds {
  /** Warn when every GPU of a task has been idle this long (minutes). */
  gpuIdleMinutes: number;
  /** A GPU at or below this utilisation (%) is idle. */
  gpuIdleThresholdPct: number;
  /** Warn when memory use passes this fraction of the limit (host: --mem; GPU: its total). */
  memoryWarnFraction: number;
  /** Ask `sstat` (inside the same remote command) for the tasks' MaxRSS. */
  sstat: boolean;
}

const DEFAULT_LIVE_THRESHOLDS: LiveThresholds = { gpuIdleMinutes: 10, gpuIdleThresholdPct: 0, memoryWarnFraction: 0.9, sstat: true };

/** One running task, as the watch knows it from squeue and the manifest. */
export interface LiveTask {
  experiment: string;
  /** `main`, or the array index. */
  task: string;
  /** As squeue prints it (`123`, `123_4`). */
  jobId: string;
  /** The unique numeric id of an array task, when known (sstat may print either). */
  rawJobId?: string;
  elapsedS?: number;
  timeLimitS?: number;
  checkpointing: boolean;
  /** The task's directory on the cluster (absolute). */
  outDir: string;
  /** Absolute on the cluster; absent when the experiment has none. */
  trainingLog?: string;
  inferenceLog?: string;
  /** The sidecar's columns (empty: no sidecar). */
  gpuFields: readonly string[];
  /** The experiment's `estimate:` sizes: the total when the logs give none. */
  planned?: PlannedWork;
}

export interface MemoryStatus {
  usedMiB?: number;
  limitMiB?: number;
  fraction?: number;
}

export interface LiveTaskStatus {
  experiment: string;
  task: string;
  jobId: string;
  elapsedS?: number;
  timeLimitS?: number;
  progress?: TaskProgress;
  /** elapsed + ETA: when the task should end at the current rate. */
  projectedElapsedS?: number;
  gpu?: GpuSummary;
  memory?: MemoryStatus;
}

export type LiveWarningCode = 'gpu-idle' | 'memory-high' | 'gpu-memory-high' | 'timeout-risk';

export interface LiveWarning {
  code: LiveWarningCode;
  experiment: string;
  task: string;
  jobId: string;
  message: string;
}

export interface LiveCycle {
  tasks: LiveTaskStatus[];
  warnings: LiveWarning[];
}

/** Commands and bytes of the live reads, for the benchmark and tests. */
export interface LiveCounters {
  commands: number;
  bytesIn: number;
  bytesOut: number;
}

interface TaskState {
  progress: ProgressTracker;
  gpu: GpuTracker;
  limitMiB?: number;
  metadataRead: boolean;
  warned: Set<LiveWarningCode>;
}

type FileKind = 'train' | 'infer' | 'out' | 'err' | 'gpu' | 'meta';

/** `H:MM`, as people read a time limit. */
export function formatHoursMinutes(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The job's memory limit in MiB from the SLURM variables its metadata.json recorded. */
function memoryLimitOf(metadataText: string): number | undefined {
  let slurm: Record<string, unknown> | undefined;
  try {
    // Through the metadata contract; a live view does without the limit rather than fail on a bad file.
    const parsed = metadataSchema.safeParse(JSON.parse(metadataText));
    slurm = parsed.success ? (parsed.data.slurm ?? undefined) : undefined;
  } catch {
    return undefined;
  }
  if (!slurm) return undefined;
  const num = (name: string): number | undefined => {
    const v = Number(slurm[name]);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const perNode = num('SLURM_MEM_PER_NODE');
  if (perNode !== undefined) return perNode;
  const perCpu = num('SLURM_MEM_PER_CPU');
  const cpus = num('SLURM_CPUS_ON_NODE');
  return perCpu !== undefined && cpus !== undefined ? perCpu * cpus : undefined;
}

/** MaxRSS per job id (the largest step, as seff takes it) from `sstat -P` rows `JobID|MaxRSS`. */
function readSstatRows(rows: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const unit: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
  for (const row of rows) {
    const [id, rss] = row.split('|');
    const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec((rss ?? '').trim());
    if (!id || !m?.[1]) continue;
    const mib = Number(m[1]) * (unit[m[2] ?? 'K'] ?? 1 / 1024);
    const job = id.split('.')[0] as string;
    out.set(job, Math.max(out.get(job) ?? 0, mib));
  }
  return out;
}

export interface LiveWatcherOptions {
  transport: Transport;
  thresholds?: Partial<LiveThresholds>;
  capBytes?: number;
  windowMs?: number;
  counters?: LiveCounters;
}

export class LiveWatcher {
  private readonly reader: IncrementalReader;
  private readonly states = new Map<string, TaskState>();
  private readonly thresholds: LiveThresholds;

  constructor(private readonly options: LiveWatcherOptions) {
    this.reader = new IncrementalReader(options.capBytes);
    this.thresholds = { ...DEFAULT_LIVE_THRESHOLDS, ...options.thresholds };
  }

  private stateOf(task: LiveTask, id: string): TaskState {
    let state = this.states.get(id);
    if (!state) {
      state = { progress: new ProgressTracker(this.options.windowMs), gpu: new GpuTracker(task.gpuFields, this.thresholds.gpuIdleThresholdPct), metadataRead: false, warned: new Set() };
      this.states.set(id, state);
    }
    return state;
  }

  private filesOf(task: LiveTask, id: string, state: TaskState): (LiveFile & { kind: FileKind })[] {
    const files: (LiveFile & { kind: FileKind })[] = [];
    const add = (kind: FileKind, path: string | undefined): void => {
      if (path !== undefined && !files.some((f) => f.path === path)) files.push({ key: `${id}/${kind}`, path, kind });
    };
    add('train', task.trainingLog);
    add('infer', task.inferenceLog);
    add('out', posix.join(task.outDir, 'job.out'));
    add('err', posix.join(task.outDir, 'job.err'));
    if (task.gpuFields.length > 0) add('gpu', posix.join(task.outDir, 'nvidia-smi.csv'));
    if (!state.metadataRead) add('meta', posix.join(task.outDir, 'metadata.json'));
    return files;
  }

  /** One cycle: one remote command for every task given, then their status and new warnings. */
  async poll(tasks: readonly LiveTask[], atMs: number, signal?: AbortSignal): Promise<LiveCycle> {
    if (tasks.length === 0) return { tasks: [], warnings: [] };
    const files: (LiveFile & { kind: FileKind; id: string })[] = [];
    for (const task of tasks) {
      const id = `${task.experiment}/${task.task}`;
      for (const f of this.filesOf(task, id, this.stateOf(task, id))) files.push({ ...f, id });
    }
    const jobIds = this.thresholds.sstat ? tasks.map((t) => t.jobId) : [];
    const result = await this.reader.read(this.options.transport, files, jobIds, signal === undefined ? {} : { signal });
    const counters = this.options.counters;
    if (counters) {
      counters.commands += 1;
      counters.bytesIn += result.bytesIn;
      counters.bytesOut += result.bytesOut;
    }
    const rss = readSstatRows(result.sstatRows);
    for (const f of files) {
      const chunk = result.chunks.get(f.key);
      if (chunk) this.feed(this.states.get(f.id) as TaskState, f.kind, chunk, atMs);
      // metadata.json is replaced whole (temp + rename): read from its start until it is parsed.
      if (f.kind === 'meta') this.reader.forget(f.key);
    }
    const cycle: LiveCycle = { tasks: [], warnings: [] };
    for (const task of tasks) {
      const state = this.states.get(`${task.experiment}/${task.task}`) as TaskState;
      const used = rss.get(task.jobId) ?? (task.rawJobId === undefined ? undefined : rss.get(task.rawJobId));
      const status = this.statusOf(task, state, atMs, used);
      cycle.tasks.push(status);
      cycle.warnings.push(...this.warningsOf(task, state, status));
    }
    return cycle;
  }

  /** Stop following tasks that are no longer running (their offsets and trackers are dropped). */
  retain(tasks: readonly LiveTask[]): void {
    const keep = new Set(tasks.map((t) => `${t.experiment}/${t.task}`));
    for (const id of [...this.states.keys()]) {
      if (keep.has(id)) continue;
      this.states.delete(id);
      for (const kind of ['train', 'infer', 'out', 'err', 'gpu', 'meta'] as const) this.reader.forget(`${id}/${kind}`);
    }
  }

  private feed(state: TaskState, kind: FileKind, chunk: FileChunk, atMs: number): void {
    if (kind === 'meta') {
      const text = [...chunk.segments, chunk.partial].join('\n');
      if (chunk.exists && text.trim().endsWith('}')) {
        state.metadataRead = true;
        const limit = memoryLimitOf(text);
        if (limit !== undefined) state.limitMiB = limit;
      }
      return;
    }
    if (chunk.restarted && (kind === 'train' || kind === 'out' || kind === 'err')) state.progress.resetTraining();
    if (chunk.restarted && kind === 'gpu') state.gpu.reset();
    for (const line of chunk.segments) {
      switch (kind) {
        case 'train':
          state.progress.addTrainingLine(line);
          break;
        case 'infer':
          state.progress.addInferenceLine(line);
          break;
        case 'out':
        case 'err':
          state.progress.addStdoutLine(line);
          break;
        case 'gpu':
          state.gpu.addLine(line, atMs);
          break;
        default: {
          const never: never = kind;
          throw new Error(`unhandled live file kind ${String(never)}`);
        }
      }
    }
  }

  private statusOf(task: LiveTask, state: TaskState, atMs: number, usedMiB: number | undefined): LiveTaskStatus {
    const status: LiveTaskStatus = { experiment: task.experiment, task: task.task, jobId: task.jobId };
    if (task.elapsedS !== undefined) status.elapsedS = task.elapsedS;
    if (task.timeLimitS !== undefined) status.timeLimitS = task.timeLimitS;
    const progress = state.progress.observe(atMs, task.elapsedS, task.planned);
    if (progress) {
      status.progress = progress;
      if (progress.etaS !== undefined && task.elapsedS !== undefined) status.projectedElapsedS = task.elapsedS + progress.etaS;
    }
    const gpu = state.gpu.summary();
    if (gpu) status.gpu = gpu;
    if (usedMiB !== undefined || state.limitMiB !== undefined) {
      const memory: MemoryStatus = {};
      if (usedMiB !== undefined) memory.usedMiB = Math.round(usedMiB);
      if (state.limitMiB !== undefined) memory.limitMiB = state.limitMiB;
      if (usedMiB !== undefined && state.limitMiB !== undefined) memory.fraction = usedMiB / state.limitMiB;
      status.memory = memory;
    }
    return status;
  }

  private warningsOf(task: LiveTask, state: TaskState, status: LiveTaskStatus): LiveWarning[] {
    const out: LiveWarning[] = [];
    const t = this.thresholds;
    const warn = (code: LiveWarningCode, message: string): void => {
      if (state.warned.has(code)) return;
      state.warned.add(code);
      out.push({ code, experiment: task.experiment, task: task.task, jobId: task.jobId, message });
    };
    const p = status.progress;
    // Only a rate measured over the watch's own observations: done / elapsed counts the startup
    // and would cry wolf in the first minutes.
    if (p?.rateSource === 'window' && status.projectedElapsedS !== undefined && task.timeLimitS !== undefined && status.projectedElapsedS > task.timeLimitS && (p.fraction ?? 0) < 1) {
      const advice = task.checkpointing
        ? 'checkpointing is on: the job will save and requeue itself before the limit'
        : 'checkpointing is off: it will end in TIMEOUT; cancel and resubmit with a longer `time`, or add `checkpoint:`';
      warn('timeout-risk', `at the current rate this task ends after its time limit (ETA ${formatHoursMinutes(status.projectedElapsedS)} > limit ${formatHoursMinutes(task.timeLimitS)}): ${advice}`);
    }
    const gpu = status.gpu;
    if (gpu && gpu.idleSeconds >= t.gpuIdleMinutes * 60) {
      warn('gpu-idle', `every GPU of this task has been idle for ${Math.round(gpu.idleSeconds / 60)} min (utilisation ≤ ${t.gpuIdleThresholdPct} %): is it waiting on data, a lock or the CPU?`);
    } else if (gpu && gpu.idleSeconds === 0) state.warned.delete('gpu-idle');
    if (gpu?.memoryUsedMiB !== undefined && gpu.memoryTotalMiB !== undefined && gpu.memoryTotalMiB > 0 && gpu.memoryUsedMiB / gpu.memoryTotalMiB > t.memoryWarnFraction) {
      warn('gpu-memory-high', `GPU memory at ${Math.round((100 * gpu.memoryUsedMiB) / gpu.memoryTotalMiB)} % (${Math.round(gpu.memoryUsedMiB)} of ${Math.round(gpu.memoryTotalMiB)} MiB): close to out-of-memory`);
    }
    const mem = status.memory;
    if (mem?.fraction !== undefined && mem.fraction > t.memoryWarnFraction) {
      warn('memory-high', `memory at ${Math.round(100 * mem.fraction)} % of the job's limit (${mem.usedMiB ?? '?'} of ${mem.limitMiB ?? '?'} MiB): raise \`mem\` before it ends OUT_OF_MEMORY`);
    }
    return out;
  }
}
