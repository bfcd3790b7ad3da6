/**
 * The software a task ran with, for the report's reproducibility section: the job's environment
 * snapshot (environment.json: modules, python and package versions, pip freeze) and the
 * project's git state at render time (manifest.json, carried into metrics.json's run).
 */
import type { MetricsDocument, TaskMetrics } from '../profile/metrics-document.js';

export interface SoftwareEnvironment {
  python: string | null;
  pythonExecutable: string | null;
  torch: string | null;
  cuda: string | null;
  transformers: string | null;
  peft: string | null;
  accelerate: string | null;
  driver: string | null;
  modules: string[];
  /** Where pip-freeze.txt lies in the run directory, when the job wrote one. */
  pipFreeze: string | null;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** The snapshot of a task as the report shows it; undefined when the job wrote none. */
export function readSoftwareEnvironment(task: TaskMetrics): SoftwareEnvironment | undefined {
  const snapshot = asObject(task.environment);
  if (snapshot === undefined) return undefined;
  const python = asObject(snapshot.python) ?? {};
  const modules = Array.isArray(snapshot.modules) ? snapshot.modules.filter((m): m is string => typeof m === 'string') : [];
  return {
    python: asText(python.version),
    pythonExecutable: asText(python.executable),
    torch: asText(python.torch),
    cuda: asText(python.cuda),
    transformers: asText(python.transformers),
    peft: asText(python.peft),
    accelerate: asText(python.accelerate),
    driver: asText(snapshot.nvidia_driver),
    modules,
    pipFreeze: snapshot.pip_freeze === 'pip-freeze.txt' ? `out/${task.experiment}/${task.task}/pip-freeze.txt` : null,
  };
}

/** `abc1234… (dirty)` as the report prints the render-time commit, or null when unknown. */
export function formatRunGit(doc: MetricsDocument): string | null {
  const git = doc.run.git;
  if (git === undefined) return null;
  return git.dirty ? `${git.commit} (dirty)` : git.commit;
}
