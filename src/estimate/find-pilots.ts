/**
 * Pilot runs: the metrics.json of runs named with --from, else of the runs under results/
 * (newest first), each of which may hold a profiled task of a phase.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readMetricsDocument } from '../contracts/metrics.js';
import type { MetricsDocument, TaskMetrics } from '../profile/metrics-document.js';
import { readPilotRate, type PilotRate } from './pilot-rate.js';

export interface PilotRun {
  /** The run directory's name (its run id), as the output names it. */
  run: string;
  dir: string;
  /** Read on first use: a scan of results/ stops at the newest run that has the phase. */
  doc: () => MetricsDocument | undefined;
  /** The phase this run was given for (`--from phase=run`); undefined for any phase. */
  forExperiment: string | undefined;
}

export interface PilotTask {
  run: string;
  task: TaskMetrics;
  rate: PilotRate;
}

/** Run directories under results/ that hold a metrics.json, newest first (run ids start with a UTC timestamp). */
export function listProfiledRuns(resultsDir: string): string[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((name) => existsSync(join(resultsDir, name, 'metrics.json')))
    .sort()
    .reverse()
    .map((name) => join(resultsDir, name));
}

/** A run named with --from: read now, so that a bad metrics.json is an error naming it. */
export function readPilotRun(dir: string, forExperiment?: string): PilotRun {
  const doc = readMetricsDocument(join(dir, 'metrics.json'));
  return { run: basename(dir), dir, doc: () => doc, forExperiment };
}

/**
 * A run found under results/: read when first needed; one whose metrics.json no longer reads
 * (an older schema) is passed over rather than stopping the estimate.
 */
export function openPilotRun(dir: string, onUnreadable: (dir: string, error: unknown) => void = () => undefined): PilotRun {
  let cached: MetricsDocument | undefined | null = null;
  const doc = (): MetricsDocument | undefined => {
    if (cached === null) {
      try {
        cached = readMetricsDocument(join(dir, 'metrics.json'));
      } catch (error) {
        onUnreadable(dir, error);
        cached = undefined;
      }
    }
    return cached;
  };
  return { run: basename(dir), dir, doc, forExperiment: undefined };
}

type ParamValue = string | number | boolean | null;

/** Every value of the sweep point equals the task's parameter of that name (compared as text: 8 and "8" are one point). */
function matchesPoint(task: TaskMetrics, point: Readonly<Record<string, ParamValue>>): boolean {
  return Object.entries(point).every(([key, value]) => key in task.params && String(task.params[key]) === String(value));
}

/**
 * The pilot task of one phase: from the first run that has a task of the experiment with a rate
 * (a run given for this phase counts as one of the experiment even under another name, when it
 * holds one experiment only). A sweep point takes the task of the same point; a phase without a
 * sweep takes the run's only task of that experiment, or its `main`.
 */
export function findPilotTask(runs: readonly PilotRun[], experiment: string, point: Readonly<Record<string, ParamValue>> | undefined): PilotTask | undefined {
  for (const run of runs) {
    if (run.forExperiment !== undefined && run.forExperiment !== experiment) continue;
    const doc = run.doc();
    if (doc === undefined) continue;
    let tasks = doc.tasks.filter((t) => t.experiment === experiment);
    if (tasks.length === 0 && run.forExperiment === experiment) {
      const names = new Set(doc.tasks.map((t) => t.experiment));
      if (names.size === 1) tasks = doc.tasks;
    }
    const candidates = point !== undefined ? tasks.filter((t) => matchesPoint(t, point)) : tasks.length === 1 ? tasks : tasks.filter((t) => t.task === 'main');
    for (const task of candidates) {
      const rate = readPilotRate(task);
      if (rate !== undefined) return { run: run.run, task, rate };
    }
  }
  return undefined;
}
