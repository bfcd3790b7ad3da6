/**
 * Samples CPU % and RSS of a whole process tree (a local run: the workload and everything it
 * spawned) at an interval until aborted or the root exits. pidusage measures each process;
 * the tree is found from /proc/<pid>/task/<tid>/children on Linux, or `ps -A -o pid=,ppid=`.
 * The clock, the sleep and the measuring function are injected so tests need not wait.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pidusage from 'pidusage';
import { writeFileAtomicallyAsync } from '../fs-atomic.js';
import { summarize, type Summary } from '../stats/index.js';

const execFileAsync = promisify(execFile);

export interface ProcessUsage {
  /** Percent of one core (200 = two cores busy). */
  cpu: number;
  /** Resident set size, bytes. */
  memory: number;
}

export interface ProcessSamplerDeps {
  /** Milliseconds; wall clock by default. */
  now?: () => number;
  /** Resolves after `ms` or when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Lists the descendants of `rootPid` (not including it). */
  listDescendants?: (rootPid: number) => Promise<number[]>;
  /** Measures one pid; rejects when it has exited. */
  measure?: (pid: number) => Promise<ProcessUsage>;
}

export interface ProcessSamplerOptions extends ProcessSamplerDeps {
  rootPid: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Stop after this many samples (tests; a bound for unattended runs). */
  maxSamples?: number;
}

/** Samples as parallel typed arrays: one entry per sampling tick. */
export interface ProcessSamples {
  rootPid: number;
  /** Milliseconds from the injected clock. */
  timeMs: Float64Array;
  /** Sum over the tree, percent of one core. */
  cpuPercent: Float64Array;
  /** Sum over the tree, bytes. */
  rssBytes: Float64Array;
  /** Processes in the tree at each tick. */
  processCount: Uint32Array;
  /** Every pid seen in the tree, root included, in the order first seen. */
  pidsSeen: number[];
  peakRssBytes: number;
  /** Why sampling stopped. */
  stoppedBy: 'abort' | 'root-exited' | 'max-samples';
}

export interface ProcessUsageSummary {
  samples: number;
  durationMs: number;
  cpuPercent: Summary;
  meanCpuPercent: number | null;
  maxCpuPercent: number | null;
  peakRssBytes: number;
  peakRssMiB: number;
  processesSeen: number;
}

/** Descendants from /proc/<pid>/task/<tid>/children (needs CONFIG_PROC_CHILDREN, present on common kernels). */
async function listDescendantsFromProc(rootPid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [rootPid];
  const seen = new Set<number>([rootPid]);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${pid}/task`);
    } catch {
      continue; // exited between listing and reading
    }
    for (const tid of tasks) {
      let text: string;
      try {
        text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const word of text.split(/\s+/)) {
        const child = Number(word);
        if (word !== '' && Number.isInteger(child) && !seen.has(child)) {
          seen.add(child);
          found.push(child);
          queue.push(child);
        }
      }
    }
  }
  return found;
}

/** Descendants from one `ps` listing (macOS, or Linux without the children file). */
async function listDescendantsFromPs(rootPid: number): Promise<number[]> {
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=']);
  return descendantsFromTable(rootPid, stdout);
}

/** Walks a "pid ppid" table (as `ps -o pid=,ppid=` prints it) from rootPid down. */
function descendantsFromTable(rootPid: number, table: string): number[] {
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const [pidText, ppidText] = line.trim().split(/\s+/);
    const pid = Number(pidText);
    const ppid = Number(ppidText);
    if (!Number.isInteger(pid) || !Number.isInteger(ppid) || pidText === undefined || ppidText === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [rootPid];
  const seen = new Set<number>([rootPid]);
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Descendants from every /proc/<pid>/stat (the ppid is the 4th field, after the parenthesised
 * command name, which may itself hold spaces or parentheses). Works on kernels built without
 * CONFIG_PROC_CHILDREN, where /proc/<pid>/task/<tid>/children does not exist.
 */
async function listDescendantsFromProcStat(rootPid: number): Promise<number[]> {
  const rows: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid !== undefined) rows.push(`${entry} ${ppid}`);
    } catch {
      // exited while listing
    }
  }
  return descendantsFromTable(rootPid, rows.join('\n'));
}

let procChildrenFile: boolean | undefined;

/** The fastest way this machine offers to list a process tree. */
export async function listDescendants(rootPid: number): Promise<number[]> {
  if (process.platform !== 'linux') return listDescendantsFromPs(rootPid);
  if (procChildrenFile === undefined) {
    try {
      await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
      procChildrenFile = true;
    } catch {
      procChildrenFile = false;
    }
  }
  return procChildrenFile ? listDescendantsFromProc(rootPid) : listDescendantsFromProcStat(rootPid);
}

const defaultListDescendants = listDescendants;

async function defaultMeasure(pid: number): Promise<ProcessUsage> {
  const stat = await pidusage(pid);
  return { cpu: stat.cpu, memory: stat.memory };
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A Float64Array that doubles when full: memory grows with samples kept, nothing else. */
class GrowingArray<T extends Float64Array | Uint32Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (size: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/**
 * Samples the tree of `rootPid` until `signal` aborts, the root exits or `maxSamples` ticks.
 * A process that exits between listing and measuring is skipped for that tick, not an error.
 */
export async function sampleProcessTree(options: ProcessSamplerOptions): Promise<ProcessSamples> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const listDescendants = options.listDescendants ?? defaultListDescendants;
  const measure = options.measure ?? defaultMeasure;
  const intervalMs = options.intervalMs ?? 1000;
  const { rootPid, signal } = options;
  const timeMs = new GrowingArray(new Float64Array(64), (n) => new Float64Array(n));
  const cpu = new GrowingArray(new Float64Array(64), (n) => new Float64Array(n));
  const rss = new GrowingArray(new Float64Array(64), (n) => new Float64Array(n));
  const counts = new GrowingArray(new Uint32Array(64), (n) => new Uint32Array(n));
  const seen = new Set<number>();
  const pidsSeen: number[] = [];
  let peak = 0;
  let stoppedBy: ProcessSamples['stoppedBy'] = 'abort';
  const measured = new Set<number>();
  try {
    while (!signal?.aborted) {
      const started = now();
      const pids = [rootPid, ...(await listDescendants(rootPid).catch(() => []))];
      const usages = await Promise.allSettled(pids.map((pid) => measure(pid)));
      if (usages[0]?.status === 'rejected') {
        stoppedBy = 'root-exited';
        break;
      }
      let cpuSum = 0;
      let rssSum = 0;
      let alive = 0;
      usages.forEach((usage, i) => {
        if (usage.status !== 'fulfilled') return;
        const pid = pids[i] as number;
        measured.add(pid);
        if (!seen.has(pid)) {
          seen.add(pid);
          pidsSeen.push(pid);
        }
        cpuSum += usage.value.cpu;
        rssSum += usage.value.memory;
        alive++;
      });
      timeMs.push(started);
      cpu.push(cpuSum);
      rss.push(rssSum);
      counts.push(alive);
      peak = Math.max(peak, rssSum);
      if (options.maxSamples !== undefined && timeMs.length >= options.maxSamples) {
        stoppedBy = 'max-samples';
        break;
      }
      await sleep(Math.max(0, intervalMs - (now() - started)), signal);
    }
  } finally {
    // pidusage keeps per-pid history (and open /proc files) for CPU deltas and a timer to expire
    // it; clearing releases them so a finished CLI exits promptly.
    if (options.measure === undefined && measured.size > 0) pidusage.clear();
  }
  return {
    rootPid,
    timeMs: timeMs.toArray(),
    cpuPercent: cpu.toArray(),
    rssBytes: rss.toArray(),
    processCount: counts.toArray(),
    pidsSeen,
    peakRssBytes: peak,
    stoppedBy,
  };
}

function summarizeProcessSamples(samples: ProcessSamples): ProcessUsageSummary {
  const n = samples.timeMs.length;
  const cpuPercent = summarize(samples.cpuPercent);
  return {
    samples: n,
    durationMs: n > 1 ? (samples.timeMs[n - 1] as number) - (samples.timeMs[0] as number) : 0,
    cpuPercent,
    meanCpuPercent: cpuPercent.mean,
    maxCpuPercent: cpuPercent.max,
    peakRssBytes: samples.peakRssBytes,
    peakRssMiB: samples.peakRssBytes / (1024 * 1024),
    processesSeen: samples.pidsSeen.length,
  };
}

/**
 * process.json: the summary fields at the top level (what `hpcbench profile` reads) plus the
 * series, so a report can draw CPU and RSS over time.
 */
export interface ProcessSamplesDocument extends ProcessUsageSummary {
  rootPid: number;
  pidsSeen: number[];
  stoppedBy: ProcessSamples['stoppedBy'];
  series: { timeMs: number[]; cpuPercent: number[]; rssBytes: number[]; processCount: number[] };
}

function toProcessSamplesDocument(samples: ProcessSamples): ProcessSamplesDocument {
  return {
    ...summarizeProcessSamples(samples),
    rootPid: samples.rootPid,
    pidsSeen: samples.pidsSeen,
    stoppedBy: samples.stoppedBy,
    series: {
      timeMs: Array.from(samples.timeMs),
      cpuPercent: Array.from(samples.cpuPercent),
      rssBytes: Array.from(samples.rssBytes),
      processCount: Array.from(samples.processCount),
    },
  };
}

/** Writes process.json atomically (temp file + rename), so a reader never sees half a file. */
export async function writeProcessSamples(file: string, samples: ProcessSamples): Promise<ProcessSamplesDocument> {
  const document = toProcessSamplesDocument(samples);
  await writeFileAtomicallyAsync(file, `${JSON.stringify(document)}\n`);
  return document;
}
