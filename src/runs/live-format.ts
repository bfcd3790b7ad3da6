/**
 * `watch` events as people and scripts read them: a short line per running task, and one JSON
 * object per line for `watch --json` (the event types are documented in docs/watch.md).
 */
import type { GpuSummary } from './live-gpu.js';
import type { TaskProgress } from './live-progress.js';
import { formatHoursMinutes, type LiveTaskStatus, type MemoryStatus } from './live-watch.js';
import type { WatchEvent } from './watch.js';

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A duration for the task line: seconds and minutes below an hour, `H:MM` above. */
export function formatShortDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return formatHoursMinutes(seconds);
}

/** `lora/main 45% (180/400 steps) 2.1/s ETA 2 min (ends at 5 min of 2:00) · GPU 87% 30/80 GiB · mem 71%` */
export function formatTaskLine(status: LiveTaskStatus): string {
  const parts = [`${status.experiment}/${status.task}`];
  const p = status.progress;
  if (p) {
    const count = `${p.done}${p.total === undefined ? '' : `/${p.total}`} ${p.unit}`;
    parts.push(p.fraction === undefined ? count : `${Math.floor(100 * p.fraction)}% (${count})`);
    if (p.ratePerS !== undefined) parts.push(`${round(p.ratePerS, 2)}/s`);
    if (p.etaS !== undefined) {
      const end = status.projectedElapsedS === undefined ? '' : ` (ends at ${formatShortDuration(status.projectedElapsedS)}${status.timeLimitS === undefined ? '' : ` of ${formatShortDuration(status.timeLimitS)}`})`;
      parts.push(`ETA ${formatShortDuration(p.etaS)}${end}`);
    }
  } else parts.push('no progress logged yet');
  const g = status.gpu;
  if (g?.utilizationPct !== undefined) {
    const mem = g.memoryUsedMiB !== undefined && g.memoryTotalMiB !== undefined ? ` ${round(g.memoryUsedMiB / 1024, 1)}/${round(g.memoryTotalMiB / 1024, 1)} GiB` : '';
    parts.push(`· GPU ${Math.round(g.utilizationPct)}%${mem}`);
  }
  if (status.memory?.fraction !== undefined) parts.push(`· mem ${Math.round(100 * status.memory.fraction)}%`);
  return parts.join(' ');
}

function progressJson(p: TaskProgress): Record<string, unknown> {
  return {
    unit: p.unit,
    done: p.done,
    total: p.total ?? null,
    fraction: p.fraction === undefined ? null : round(p.fraction, 4),
    rate_per_s: p.ratePerS === undefined ? null : round(p.ratePerS, 4),
    rate_source: p.rateSource ?? null,
    eta_s: p.etaS === undefined ? null : Math.round(p.etaS),
    total_from: p.totalFrom ?? null,
  };
}

function gpuJson(g: GpuSummary): Record<string, unknown> {
  return {
    utilization_pct: g.utilizationPct ?? null,
    memory_used_mib: g.memoryUsedMiB ?? null,
    memory_total_mib: g.memoryTotalMiB ?? null,
    idle_s: g.idleSeconds,
    gpus: g.gpus.map((x) => ({ gpu: x.gpu, utilization_pct: x.utilizationPct ?? null, memory_used_mib: x.memoryUsedMiB ?? null, memory_total_mib: x.memoryTotalMiB ?? null })),
  };
}

function memoryJson(m: MemoryStatus): Record<string, unknown> {
  return { used_mib: m.usedMiB ?? null, limit_mib: m.limitMiB ?? null, fraction: m.fraction === undefined ? null : round(m.fraction, 4) };
}

/** One watch event as the JSON object `watch --json` prints on a line of its own. */
export function watchEventJson(event: WatchEvent, at: Date): Record<string, unknown> {
  const base = { event: event.kind === 'change' ? 'state' : event.kind === 'progress' ? 'cycle' : event.kind, at: at.toISOString() };
  switch (event.kind) {
    case 'change':
      return { ...base, experiment: event.experiment, job_id: event.jobId, from: event.from ?? null, to: event.to, outcome: event.verdict.outcome, title: event.verdict.title };
    case 'progress':
      return { ...base, cycle: event.cycle, next_poll_ms: event.nextPollMs ?? null, jobs: event.jobs };
    case 'retrying':
      return { ...base, message: event.message, retry_in_ms: event.retryInMs, attempt: event.attempt };
    case 'resubmitted':
      return { ...base, experiment: event.experiment, old_id: event.oldId, new_id: event.newId, exclude: event.exclude };
    case 'cancelled-pending':
      return { ...base, experiment: event.experiment, job_id: event.jobId, reason: event.reason };
    case 'task':
      return {
        ...base,
        experiment: event.experiment,
        task: event.task,
        job_id: event.jobId,
        elapsed_s: event.elapsedS ?? null,
        time_limit_s: event.timeLimitS ?? null,
        progress: event.progress ? progressJson(event.progress) : null,
        projected_elapsed_s: event.projectedElapsedS === undefined ? null : Math.round(event.projectedElapsedS),
        gpu: event.gpu ? gpuJson(event.gpu) : null,
        memory: event.memory ? memoryJson(event.memory) : null,
      };
    case 'warning':
      return { ...base, code: event.code, experiment: event.experiment, task: event.task, job_id: event.jobId, message: event.message };
    case 'live-off':
      return { ...base, message: event.message };
    default: {
      const never: never = event;
      throw new Error(`unhandled watch event ${JSON.stringify(never)}`);
    }
  }
}
