/**
 * The view model every report format renders: the metrics document plus what the report adds
 * (environment rows, sweep tables and the best point under the SLO, reference checks, advice,
 * the reproduction bundle). Language-neutral: numbers stay numbers until a template formats them.
 */
import { basename } from 'node:path';
import { REPORT_SCHEMA_ID } from '../contracts/report.js';
import type { MetricsDocument, MissingSection, TaskMetrics } from '../profile/metrics-document.js';
import { adviseOnMetrics, ADVICE_THRESHOLDS, groupAdvice, type Advice, type AdviceGroup } from './advisor.js';
import { findProvenance, type Provenance } from './provenance.js';
import { checkReferences, type ReferenceCheck, type ReferenceTable } from './references.js';
import type { RunBundle } from './run-bundle.js';
import { redactStrings } from './redact.js';
import { redactBundle, redactMetricsDocument } from './redact-report.js';
import type { CheckpointReasonCode } from '../slurm/checkpoint-stop.js';
import { chooseBestPoint, groupSweeps, type SweepChoice, type SweepTable } from './sweep.js';
import { buildGpuProcessTable, type GpuProcessTable } from './gpu-processes.js';
import { formatRunGit, readSoftwareEnvironment, type SoftwareEnvironment } from './software-environment.js';

/** The report's version is that of report.json (src/contracts/report.ts). */
export const REPORT_SCHEMA = REPORT_SCHEMA_ID;

export interface ReportOptions {
  /** Latency SLO in milliseconds per experiment (from profiling.latency_slo_ms), or one for all. */
  sloMs?: number | Record<string, number>;
  references?: ReferenceTable;
  /** Report metadata clock (tests pin it). */
  now?: () => Date;
  toolVersion?: string;
  /** Experiment descriptions from the config, quoted in the objective. */
  descriptions?: Record<string, string>;
}

export interface EnvironmentRow {
  experiment: string;
  task: string;
  jobId: string | null;
  node: string | null;
  partition: string | null;
  gpuModel: string | null;
  gpuCount: number | null;
  driver: string | null;
  cuda: string | null;
  queueWaitS: number | null;
  elapsedS: number | null;
  state: string | null;
}

export interface TaskBundle {
  experiment: string;
  task: string;
  gitCommit: string | null;
  modules: string[];
  environment: [string, string][];
  metadata: [string, string][];
  /** environment.json of the task (python, torch, CUDA, packages, pip freeze); null without one. */
  software: SoftwareEnvironment | null;
}

/** A job as run.json records it: what was submitted, where, and what became of it. */
export interface SubmittedJob {
  experiment: string;
  jobId: string | null;
  state: string | null;
  submittedAt: string | null;
  /** Ids of earlier submissions (resubmitted after a failure or a requeue). */
  previousJobIds: string[];
}

/** One row of the restarts table: a task that checkpointed or restarted. */
export interface CheckpointRow {
  experiment: string;
  task: string;
  restarts: number;
  signals: number;
  /** Why it stopped requeueing itself, else `terminated` when its last signal was a TERM, else null. */
  outcome: CheckpointReasonCode | null;
  rejectedLines: number;
}

/** One task's reason for an empty report section; `task` is "experiment/task". */
export type MissingLine = Omit<MissingSection, 'section'> & { task: string };

export interface ReportModel {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  toolVersion: string;
  doc: MetricsDocument;
  runId: string;
  environment: EnvironmentRow[];
  tasks: TaskMetrics[];
  inferenceTasks: TaskMetrics[];
  gpuTasks: TaskMetrics[];
  trainingTasks: TaskMetrics[];
  accountingTasks: TaskMetrics[];
  processTasks: TaskMetrics[];
  /** Per-process GPU memory from nvidia-smi --query-compute-apps logs; no rows without such a log. */
  gpuProcesses: GpuProcessTable;
  /** Tasks that checkpointed or restarted (metrics.json `checkpoints`), for the restarts section. */
  checkpointTasks: TaskMetrics[];
  /** The same tasks, one summary row each. */
  checkpointRows: CheckpointRow[];
  /** section → the tasks' reasons, when no task has the section at all (the `missing_line` filter words them). */
  missing: Record<string, MissingLine[]>;
  /** section → "experiment/task" of the tasks lacking it, when other tasks have it. */
  partial: Record<string, string[]>;
  sweeps: { table: SweepTable; choice: SweepChoice }[];
  references: ReferenceCheck[];
  advice: Advice[];
  /** `advice` split by severity: what needs action, and what is worth knowing. */
  adviceWarnings: Advice[];
  adviceNotes: Advice[];
  /** The same advice grouped: one entry per advice kind per experiment, listing its tasks. */
  adviceWarningGroups: AdviceGroup[];
  adviceNoteGroups: AdviceGroup[];
  /** Generated or stand-in data the figures come from; the report says so at the top. */
  provenance: Provenance;
  thresholds: typeof ADVICE_THRESHOLDS;
  /** The busy thresholds (percent) the tasks' GPU figures used, distinct and sorted; [0] without GPU data (documents before it: 0). */
  busyThresholdsPct: number[];
  bundle: RunBundle | undefined;
  taskBundles: TaskBundle[];
  /** From run.json, when the run was submitted through hpcbench. */
  submission: { cluster: string | null; remoteDir: string | null; jobs: SubmittedJob[] } | null;
  descriptions: Record<string, string>;
  /** The run directory's name (never its absolute path: reports are shared). */
  runDirName: string;
  referencePass: number;
  referenceFail: number;
  totals: { gpuHours: number | null; cpuHours: number | null; cost: number | null; currency: string | null; energyJ: number | null };
}

function lookup(metadata: Record<string, unknown> | undefined, keys: readonly string[]): unknown {
  if (metadata === undefined) return undefined;
  const nested = ['slurm', 'gpu', 'env', 'environment', 'git', 'workload'];
  for (const key of keys) {
    if (metadata[key] !== undefined && metadata[key] !== null && metadata[key] !== '') return metadata[key];
    for (const n of nested) {
      const inner = metadata[n];
      if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
        const value = (inner as Record<string, unknown>)[key];
        if (value !== undefined && value !== null && value !== '') return value;
      }
    }
  }
  return undefined;
}

function text(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // A mapping (or anything else JSON cannot hold as a scalar) is shown as JSON, never as [object Object].
  return JSON.stringify(value) ?? null;
}

function unique(values: (string | null | undefined)[]): string | null {
  const set = [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return set.length > 0 ? set.join(', ') : null;
}

/** GPUs as metadata.json lists them (`gpus: [{index, name, driver_version, uuid}]`). */
function metadataGpus(metadata: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const list = metadata?.gpus;
  return Array.isArray(list) ? list.filter((g): g is Record<string, unknown> => typeof g === 'object' && g !== null) : [];
}

function environmentRow(task: TaskMetrics, doc: MetricsDocument): EnvironmentRow {
  const m = task.metadata;
  const gpus = task.gpu?.gpus ?? [];
  const listed = metadataGpus(m);
  return {
    experiment: task.experiment,
    task: task.task,
    jobId: task.job_id ?? text(lookup(m, ['job_id', 'SLURM_JOB_ID'])),
    node: text(lookup(m, ['nodes', 'hostname', 'node', 'host', 'SLURM_JOB_NODELIST', 'SLURMD_NODENAME'])),
    partition: task.accounting?.partition || text(lookup(m, ['partition', 'SLURM_JOB_PARTITION'])) || doc.run.partition || null,
    gpuModel: unique(gpus.map((g) => g.name)) ?? unique(listed.map((g) => text(g.name))) ?? text(lookup(m, ['gpu_name', 'gpu_model'])),
    gpuCount: task.gpu?.overall.gpus ?? (listed.length > 0 ? listed.length : null),
    driver: unique(gpus.map((g) => g.driverVersion)) ?? unique(listed.map((g) => text(g.driver_version))) ?? text(lookup(m, ['driver_version'])),
    cuda: text(lookup(m, ['cuda_version', 'cuda', 'CUDA_VERSION'])),
    queueWaitS: task.accounting?.queueWaitSeconds ?? null,
    elapsedS: task.accounting?.elapsedSeconds ?? null,
    state: task.accounting?.state ?? null,
  };
}

const SKIP_METADATA = new Set(['modules', 'env', 'environment', 'gpus']);

/** Nested objects (slurm, script, parameters) one level deep as `slurm.SLURM_JOB_ID` rows. */
function flattenMetadata(m: Record<string, unknown>): [string, string][] {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(m)) {
    if (SKIP_METADATA.has(k)) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) rows.push([`${k}.${k2}`, text(v2) ?? '']);
    } else rows.push([k, text(v) ?? '']);
  }
  return rows;
}

function taskBundle(task: TaskMetrics, runGit: string | null): TaskBundle {
  const m = task.metadata ?? {};
  const modulesRaw = lookup(m, ['modules', 'loaded_modules', 'LOADEDMODULES']);
  const modules = Array.isArray(modulesRaw)
    ? modulesRaw.map(String)
    : typeof modulesRaw === 'string'
      ? modulesRaw.split(/[:\s]+/).filter((s) => s !== '')
      : [];
  const envRaw = m.env ?? m.environment;
  const environment: [string, string][] =
    typeof envRaw === 'object' && envRaw !== null && !Array.isArray(envRaw)
      ? Object.entries(envRaw as Record<string, unknown>).map(([k, v]) => [k, text(v) ?? ''])
      : [];
  const metadata = flattenMetadata(m);
  const software = readSoftwareEnvironment(task);
  return {
    experiment: task.experiment,
    task: task.task,
    gitCommit: text(lookup(m, ['git_commit', 'workload_git_commit', 'commit'])) ?? runGit,
    modules: modules.length > 0 ? modules : (software?.modules ?? []),
    software: software ?? null,
    environment,
    metadata,
  };
}

function readSubmission(record: Record<string, unknown> | undefined): ReportModel['submission'] {
  if (record === undefined) return null;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const cluster = record.cluster;
  const jobs = Array.isArray(record.jobs) ? record.jobs : [];
  return {
    cluster: typeof cluster === 'object' && cluster !== null ? str((cluster as Record<string, unknown>).name) : null,
    remoteDir: str(record.remote_dir),
    jobs: jobs
      .filter((j): j is Record<string, unknown> => typeof j === 'object' && j !== null)
      .map((j) => ({
        experiment: str(j.experiment) ?? '?',
        jobId: str(j.job_id),
        state: str(j.state),
        submittedAt: str(j.submitted_at),
        previousJobIds: Array.isArray(j.previous_job_ids) ? j.previous_job_ids.filter((x): x is string => typeof x === 'string') : [],
      })),
  };
}

function checkpointRow(task: TaskMetrics, ckpt: NonNullable<TaskMetrics['checkpoints']>): CheckpointRow {
  const last = ckpt.events.at(-1);
  return {
    experiment: task.experiment,
    task: task.task,
    restarts: ckpt.restarts,
    signals: ckpt.events.length,
    outcome: ckpt.stop_reason ?? (last?.action === 'ended' ? 'terminated' : null),
    rejectedLines: ckpt.rejected_lines,
  };
}

function sum(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) : null;
}

function sloFor(options: ReportOptions, experiment: string): number | null {
  if (typeof options.sloMs === 'number') return options.sloMs;
  return options.sloMs?.[experiment] ?? null;
}

export function buildReportModel(rawDoc: MetricsDocument, rawBundle: RunBundle | undefined, options: ReportOptions = {}): ReportModel {
  // Every format renders this model, so redacting here keeps secrets out of all of them.
  const doc = redactMetricsDocument(rawDoc);
  const bundle = rawBundle === undefined ? undefined : redactBundle(rawBundle);
  const tasks = doc.tasks;
  const missing: Record<string, MissingLine[]> = {};
  const partial: Record<string, string[]> = {};
  const has: Record<string, boolean> = {
    gpu: tasks.some((t) => t.gpu !== undefined),
    inference: tasks.some((t) => t.inference !== undefined),
    training: tasks.some((t) => t.training !== undefined),
    accounting: tasks.some((t) => t.accounting !== undefined),
    process: tasks.some((t) => t.process !== undefined),
    metadata: tasks.some((t) => t.metadata !== undefined),
  };
  for (const t of tasks) {
    for (const m of t.missing) {
      if (has[m.section]) (partial[m.section] ??= []).push(`${t.experiment}/${t.task}`);
      else (missing[m.section] ??= []).push({ task: `${t.experiment}/${t.task}`, reason: m.reason, code: m.code, values: m.values });
    }
  }
  const references = checkReferences(doc, options.references ?? {});
  const advice = adviseOnMetrics(doc);
  const currencies = [...new Set(tasks.map((t) => t.accounting?.currency).filter((c): c is string => c !== undefined))];
  return {
    schema: REPORT_SCHEMA,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    toolVersion: options.toolVersion ?? doc.tool.version,
    doc,
    runId: doc.run.run_id ?? bundle?.manifest?.run_id ?? '(no run id)',
    environment: tasks.map((t) => environmentRow(t, doc)),
    tasks,
    inferenceTasks: tasks.filter((t) => t.inference !== undefined),
    gpuTasks: tasks.filter((t) => t.gpu !== undefined),
    trainingTasks: tasks.filter((t) => t.training !== undefined),
    accountingTasks: tasks.filter((t) => t.accounting !== undefined),
    processTasks: tasks.filter((t) => t.process !== undefined),
    gpuProcesses: buildGpuProcessTable(tasks),
    checkpointTasks: tasks.filter((t) => t.checkpoints !== undefined),
    checkpointRows: tasks.flatMap((t) => (t.checkpoints === undefined ? [] : [checkpointRow(t, t.checkpoints)])),
    missing,
    partial,
    sweeps: groupSweeps(doc.sweep, tasks)
      .filter((table) => table.points.length > 1)
      .map((table) => ({ table, choice: chooseBestPoint(table, sloFor(options, table.experiment)) })),
    references,
    referencePass: references.filter((r) => r.status === 'pass').length,
    referenceFail: references.filter((r) => r.status === 'fail').length,
    descriptions: redactStrings(options.descriptions ?? {}),
    runDirName: basename(bundle?.runDir ?? doc.run.root),
    advice,
    adviceWarnings: advice.filter((a) => a.severity === 'warning'),
    adviceNotes: advice.filter((a) => a.severity === 'info'),
    adviceWarningGroups: groupAdvice(advice.filter((a) => a.severity === 'warning')),
    adviceNoteGroups: groupAdvice(advice.filter((a) => a.severity === 'info')),
    provenance: findProvenance(tasks),
    thresholds: ADVICE_THRESHOLDS,
    busyThresholdsPct: listBusyThresholds(tasks),
    bundle,
    taskBundles: tasks.map((t) => taskBundle(t, formatRunGit(doc))),
    submission: readSubmission(bundle?.runRecord),
    totals: {
      gpuHours: sum(tasks.map((t) => t.accounting?.gpuHours)),
      cpuHours: sum(tasks.map((t) => t.accounting?.cpuHours)),
      cost: sum(tasks.map((t) => t.accounting?.cost)),
      currency: currencies.length === 1 ? (currencies[0] as string) : null,
      energyJ: sum(tasks.map((t) => t.gpu?.overall.energyJ)),
    },
  };
}

/** The busy thresholds of the tasks with GPU data, for the methods section. */
function listBusyThresholds(tasks: readonly TaskMetrics[]): number[] {
  const used = new Set(tasks.flatMap((t) => (t.gpu ? [t.gpu.busyThresholdPct ?? 0] : [])));
  return used.size > 0 ? [...used].sort((a, b) => a - b) : [0];
}
