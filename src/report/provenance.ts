/**
 * Where a report's figures come from, when that is not a real job: a sample whose metadata.json
 * says it was generated (`"generated": "..."`, as data_sample/run-example's), or a workload that
 * ran a stand-in backend instead of a model (infer.py's `ngram` backend on machines without
 * PyTorch). A reader must learn this on the first screen, not from one metadata key per task.
 */
import type { TaskMetrics } from '../profile/metrics-document.js';

/** Backends that produce tokens without a real model: their throughput measures the tool, not a model. */
const STAND_IN_BACKENDS = new Set(['ngram']);

export interface Provenance {
  /** "experiment/task" of each task whose metadata says its data was generated. */
  generated: string[];
  /** The generator notes, distinct (usually one for a whole sample run). */
  generatedNotes: string[];
  /** "experiment/task" of each task measured through a stand-in backend, and those backends. */
  standInTasks: string[];
  standInBackends: string[];
}

function readString(record: unknown, key: string): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const value = (record as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The inference backend, wherever the job recorded it: the task's parameters, metadata.json, or its `workload` object. */
function findBackend(task: TaskMetrics): string | undefined {
  const fromParams = task.params.backend;
  if (typeof fromParams === 'string') return fromParams;
  return task.inference?.backend ?? readString(task.metadata, 'backend') ?? readString(task.metadata?.workload, 'backend');
}

export function isStandInTask(task: TaskMetrics): boolean {
  const backend = findBackend(task);
  return backend !== undefined && STAND_IN_BACKENDS.has(backend);
}

export function findProvenance(tasks: readonly TaskMetrics[]): Provenance {
  const generated: string[] = [];
  const notes = new Set<string>();
  const standInTasks: string[] = [];
  const backends = new Set<string>();
  for (const task of tasks) {
    const label = `${task.experiment}/${task.task}`;
    const note = readString(task.metadata, 'generated');
    if (note !== undefined) {
      generated.push(label);
      notes.add(note);
    }
    const backend = findBackend(task);
    if (backend !== undefined && STAND_IN_BACKENDS.has(backend)) {
      standInTasks.push(label);
      backends.add(backend);
    }
  }
  return { generated, generatedNotes: [...notes], standInTasks, standInBackends: [...backends] };
}
