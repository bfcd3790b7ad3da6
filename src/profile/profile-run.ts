/**
 * `hpcbench profile`: turns a run directory (or loose log files) into one MetricsDocument.
 * Each task's logs are found by their names in the run layout (out/<experiment>/<task>/), or by
 * their content for loose files; each parser streams its file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { InputError } from '../errors.js';
import type { SacctJob } from '../slurm/sacct.js';
import { readSacctFigures, readSacctJobs } from './accounting/sacct-read.js';
import { computeAccountingMetrics, type AccountingRates } from './accounting/accounting.js';
import { readCheckpointLog, readExitRecord, summariseCheckpoints, type CheckpointLog, type ExitRecord } from './training/checkpoint-log.js';
import { detectLogKind, type LogKind } from './detect-kind.js';
import { discoverTasks, jobIdOf, kindByName, readEnvironmentSnapshot, readManifestView, readMetadata, readRunView, sacctToRecord, type TaskFiles } from './run-layout.js';
import type { ManifestView } from '../contracts/manifest.js';
import { parseExitDocumentIfValid } from '../contracts/exit.js';
import { readProcessDocument } from '../contracts/process.js';
import { GpuLogAccumulator } from './gpu/log-accumulator.js';
import type { GpuMetrics } from './gpu/metrics.js';
import type { InferenceSlo } from './inference/metrics.js';
import { profileTaskInference } from './inference/profile-inference.js';
import { enforceStrict, readWholeTextFile, RejectedLines, type ReadProgress, type RejectedLinesReport } from './lines.js';
import { createTaskMetrics, METRICS_SCHEMA, missingSection, type MetricsDocument, type SourceFile, type SweepPoint, type TaskMetrics } from './metrics-document.js';
import { parseDmonFiles } from './gpu/nvidia-smi-dmon.js';
import { parseQueryGpuFiles } from './gpu/nvidia-smi-query-files.js';
import { summarizeComputeApps } from './gpu/nvidia-smi-apps.js';
import { matchesGpuFields, reclassifyGpuLogs } from './gpu/log-sniff.js';
import type { RegexExtractorSpec } from './inference/regex-extractor.js';
import { computeTrainingMetrics } from './training/metrics.js';
import { readTrainingLog } from './training/log.js';
import { describeProfileWarningEn, type ProfileWarning } from '../report/i18n/profile-warnings.js';
import { DEFAULT_BOOTSTRAP_SEED } from '../stats/index.js';

export interface ProfileOptions {
  /** Records excluded at the start of each inference log, besides those flagged as warm-up. */
  warmup?: number;
  slo?: InferenceSlo;
  percentileMethod?: 'linear' | 'nearest-rank';
  extractors?: readonly RegexExtractorSpec[];
  /** The --format list of headerless sacct output (`--sacct-fields`, or profiling.sacct_fields). */
  sacctFields?: string;
  /** Field list of headerless nvidia-smi logs when the manifest does not say. */
  gpuFields?: readonly string[];
  /** A GPU sample is busy when its utilization is above this percent (default 0; profiling.gpu_busy_threshold_pct). */
  gpuBusyThresholdPct?: number;
  rates?: AccountingRates;
  bootstrapIterations?: number;
  seed?: number;
  strict?: boolean;
  toolVersion?: string;
  onProgress?: (file: string, progress: ReadProgress) => void;
  /** Clock for generated_at (tests). */
  now?: () => Date;
  /** Settings of single experiments (from their `profiling:` in hpcbench.yaml), over the ones above. */
  experiments?: Record<string, ExperimentProfileOptions>;
  /**
   * Records (after warm-up) above which inference intervals are analytic and re-readable logs are
   * profiled in passes, in bounded memory (default ANALYTIC_INTERVALS_ABOVE, 50 000; tests set less).
   */
  analyticIntervalsAbove?: number;
  /** Values a streamed inference profile holds at once to select exact percentiles, per distribution (default 65 536). */
  selectionBufferLimit?: number;
}

export type ExperimentProfileOptions = Pick<ProfileOptions, 'warmup' | 'slo' | 'extractors' | 'rates' | 'sacctFields' | 'gpuBusyThresholdPct'>;

async function profileGpu(files: { file: string; kind: LogKind }[], fields: readonly string[] | undefined, options: ProfileOptions, rejected: RejectedLines): Promise<GpuMetrics | undefined> {
  const query = files.filter((f) => f.kind === 'nvidia-smi').map((f) => f.file);
  const dmon = files.filter((f) => f.kind === 'dmon').map((f) => f.file);
  const onProgress = (file: string) => (p: ReadProgress) => options.onProgress?.(file, p);
  if (query.length > 0) {
    const acc = new GpuLogAccumulator(rejected);
    for (const file of query) await parseQueryGpuFiles([file], { fields: fields ?? options.gpuFields, onProgress: onProgress(file) }, acc);
    return acc.toMetrics('query-gpu', options.gpuBusyThresholdPct);
  }
  if (dmon.length > 0) {
    const acc = new GpuLogAccumulator(rejected);
    for (const file of dmon) await parseDmonFiles([file], { onProgress: onProgress(file) }, acc);
    return acc.toMetrics('dmon', options.gpuBusyThresholdPct);
  }
  return undefined;
}

async function profileTask(spec: TaskFiles, allOptions: ProfileOptions, sacct: Map<string, SacctJob>, sources: SourceFile[], root: string, local = false): Promise<TaskMetrics> {
  const options: ProfileOptions = { ...allOptions, ...(allOptions.experiments?.[spec.experiment] ?? {}) };
  const of = (kind: LogKind) => spec.files.filter((f) => f.kind === kind);
  const where = relative(root, spec.dir) || spec.dir;
  const task = createTaskMetrics(spec.experiment, spec.task, { ...spec.params });
  const record = (file: string, kind: SourceFile['kind'], rejected?: RejectedLines): void => {
    sources.push({ file: relative(root, file) || file, kind, task: `${spec.experiment}/${spec.task}`, rejected: rejected && rejectedIn(rejected, file) });
  };

  const metadataFile = of('metadata')[0];
  if (metadataFile) {
    task.metadata = readMetadata(metadataFile.file);
    record(metadataFile.file, 'metadata');
  } else task.missing.push(missingSection('metadata', 'no-metadata', { where }));
  task.job_id = jobIdOf(task.metadata);
  const environment = readEnvironmentSnapshot(spec.dir);
  if (environment) task.environment = environment;
  if (spec.billing) task.billing = { ...spec.billing };

  await reclassifyGpuLogs(spec.files); // a GPU log's content wins over its name
  const gpuRejected = new RejectedLines();
  task.gpu = await profileGpu(spec.files, spec.gpuFields, options, gpuRejected);
  for (const f of [...of('nvidia-smi'), ...of('dmon')]) record(f.file, f.kind === 'dmon' ? 'dmon' : 'nvidia-smi', gpuRejected);
  if (task.gpu) task.gpu_series = task.gpu.series ?? [];
  else task.missing.push(missingSection('gpu', 'no-gpu-log', { where }));
  const appsFiles = of('compute-apps');
  if (appsFiles.length > 0) {
    const appsRejected = new RejectedLines();
    task.gpu_processes = await summarizeComputeApps(appsFiles.map((f) => f.file), { rejected: appsRejected });
    for (const f of appsFiles) record(f.file, 'compute-apps', appsRejected);
  }

  await profileTaskInference(spec, options, task, record, where);

  const trainingFile = of('training')[0];
  if (trainingFile) {
    const rejected = new RejectedLines();
    const log = await readTrainingLog(trainingFile.file, { rejected, onProgress: (p) => options.onProgress?.(trainingFile.file, p) });
    task.training = computeTrainingMetrics(log.records, log.context);
    record(trainingFile.file, 'training', rejected);
  } else task.missing.push(missingSection('training', 'no-training-log', { where }));

  const processFile = of('process')[0];
  if (processFile) {
    task.process = readProcessDocument(processFile.file);
    record(processFile.file, 'process');
  } else task.missing.push(missingSection('process', local ? 'process-job-too-short' : 'no-process-samples', { where }));

  const job = task.job_id ? sacct.get(task.job_id) : undefined;
  if (job) {
    task.accounting = computeAccountingMetrics(sacctToRecord(job), {
      rates: options.rates,
      outputTokens: task.inference?.totalOutputTokens ?? undefined,
      source: `sacct record of job ${job.jobId}`,
    });
  } else if (local) {
    task.missing.push(missingSection('accounting', 'local-no-accounting'));
  } else {
    task.missing.push(task.job_id ? missingSection('accounting', 'no-sacct-record', { job: task.job_id }) : missingSection('accounting', 'no-job-id'));
  }

  const checkpoints = await profileCheckpoints(spec, options, job?.restarts, task.metadata, record);
  if (checkpoints) task.checkpoints = checkpoints;
  return task;
}

/** A restart count in metadata.json (`restart_count`, or SLURM_RESTART_COUNT among the SLURM variables). */
function metadataRestarts(metadata: Record<string, unknown> | undefined): number | undefined {
  const slurm = metadata?.slurm;
  const raw = metadata?.restart_count ?? (typeof slurm === 'object' && slurm !== null ? (slurm as Record<string, unknown>).SLURM_RESTART_COUNT : undefined);
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * exit.json as the checkpoint summary needs it, through its contract. A missing, unreadable or
 * refused one (a copy cut short, a hand edit) says nothing: the log, metadata.json and sacct still count.
 */
function readExitFile(file: string | undefined): ExitRecord {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const document = parseExitDocumentIfValid(text, file);
  return document === undefined ? {} : readExitRecord(document);
}

async function profileCheckpoints(
  spec: TaskFiles,
  options: ProfileOptions,
  sacctRestarts: number | undefined,
  metadata: Record<string, unknown> | undefined,
  record: (file: string, kind: SourceFile['kind'], rejected?: RejectedLines) => void,
): Promise<TaskMetrics['checkpoints']> {
  const logFile = spec.files.find((f) => f.kind === 'checkpoints');
  let log: CheckpointLog | undefined;
  if (logFile) {
    const rejected = new RejectedLines();
    log = await readCheckpointLog(logFile.file, { rejected, onProgress: (p) => options.onProgress?.(logFile.file, p) });
    record(logFile.file, 'checkpoints', rejected);
  }
  const exit = readExitFile(spec.files.find((f) => f.kind === 'exit')?.file);
  return summariseCheckpoints(log, exit, [sacctRestarts, metadataRestarts(metadata)]);
}

function sweepTable(tasks: readonly TaskMetrics[]): SweepPoint[] {
  return tasks
    .filter((t) => t.inference && Object.keys(t.params).length > 0)
    .map((t) => {
      const inf = t.inference!;
      return {
        experiment: t.experiment,
        task: t.task,
        params: t.params,
        requests: inf.requests,
        output_tokens_per_s: inf.outputTokensPerS,
        request_throughput: inf.requestThroughput,
        latency_p50_s: inf.latencyS.p50,
        latency_p95_s: inf.latencyS.p95,
        ttft_p95_s: inf.ttftS.p95,
        gpu_utilization_mean: t.gpu?.overall.utilization?.timeWeightedMean ?? t.gpu?.overall.utilization?.mean ?? null,
        energy_j: t.gpu?.overall.energyJ ?? null,
      };
    });
}

/** One warm-up count when every experiment of the run uses the same, else one per experiment. */
function warmupMethod(tasks: readonly TaskMetrics[], options: ProfileOptions): Pick<MetricsDocument['method'], 'warmup_records' | 'warmup_by_experiment'> {
  const byExperiment: Record<string, number> = {};
  for (const t of tasks) byExperiment[t.experiment] = options.experiments?.[t.experiment]?.warmup ?? options.warmup ?? 0;
  const counts = new Set(Object.values(byExperiment));
  if (counts.size <= 1) return { warmup_records: [...counts][0] ?? options.warmup ?? 0 };
  return { warmup_records: options.warmup ?? 0, warmup_by_experiment: byExperiment };
}

function buildDocument(root: string, manifest: ManifestView | undefined, tasks: TaskMetrics[], sources: SourceFile[], options: ProfileOptions): MetricsDocument {
  const codes: ProfileWarning[] = [];
  const rejectedTotal = sources.reduce((n, s) => n + (s.rejected?.count ?? 0), 0);
  if (rejectedTotal > 0) codes.push({ code: 'rejected-lines', values: { count: rejectedTotal } });
  for (const t of tasks) {
    const task = `${t.experiment}/${t.task}`;
    for (const section of [t.gpu, t.training, t.inference]) for (const w of section?.warningCodes ?? []) codes.push({ ...w, task });
  }
  for (const s of sources) {
    const first = s.rejected?.examples[0];
    if (s.kind !== 'checkpoints' || s.rejected === undefined || s.rejected.count === 0 || first === undefined) continue;
    codes.push({ code: 'checkpoint-lines-skipped', task: s.task ?? s.file, values: { count: s.rejected.count, file: s.file, line: first.line, reason: first.reason } });
  }
  if (tasks.length === 0) codes.push({ code: 'nothing-profiled', values: {} });
  const warnings = codes.map(describeProfileWarningEn);
  const first = manifest?.jobs?.[0];
  return {
    schema: METRICS_SCHEMA,
    generated_at: (options.now?.() ?? new Date()).toISOString(),
    tool: { name: 'hpcbench', version: options.toolVersion ?? '0.0.0' },
    run: {
      run_id: manifest?.run_id,
      experiments: manifest?.experiments ?? [...new Set(tasks.map((t) => t.experiment))],
      cluster: first?.cluster,
      partition: first?.partition,
      root,
      ...(manifest?.git ? { git: { commit: manifest.git.commit, dirty: manifest.git.dirty } } : {}),
    },
    method: {
      percentile_method: options.percentileMethod ?? 'linear',
      ...warmupMethod(tasks, options),
      bootstrap: { iterations: options.bootstrapIterations ?? 2000, confidence: 0.95, seed: options.seed ?? DEFAULT_BOOTSTRAP_SEED },
      std: 'sample (ddof=1)',
    },
    sources,
    tasks,
    sweep: sweepTable(tasks),
    warnings,
    warning_codes: codes,
  };
}

/**
 * The part of a collector that concerns one file. Several files of a task share a collector (all
 * GPU logs, all inference logs), so each source reports only its own lines and no count is
 * reported twice.
 */
function rejectedIn(rejected: RejectedLines, file: string): RejectedLinesReport {
  const count = rejected.countIn(file);
  return { count, examples: rejected.examples.filter((e) => e.file === file), byFile: count > 0 ? { [file]: count } : {} };
}

function enforce(sources: readonly SourceFile[], strict: boolean | undefined): void {
  if (!strict) return;
  const all = new RejectedLines();
  for (const s of sources) if (s.rejected) all.addMany(s.file, s.rejected.count, s.rejected.examples);
  enforceStrict(all, true);
}

/** The sacct field list: the flag's, else the first experiment's profiling.sacct_fields. */
function sacctFieldsOf(options: ProfileOptions): { fields?: string } {
  const fields = options.sacctFields ?? Object.values(options.experiments ?? {}).find((e) => e.sacctFields !== undefined)?.sacctFields;
  return fields === undefined ? {} : { fields };
}

function isSacctWithFields(file: string, fields: string): boolean {
  try {
    return readSacctFigures(readFileSync(file, 'utf8'), { file, fields }).length > 0;
  } catch {
    return false;
  }
}

/** Profiles a run directory laid out as in the run-directory contract. */
export async function profileRun(runDir: string, options: ProfileOptions = {}): Promise<MetricsDocument> {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    throw new InputError('not a run directory', { file: runDir, hint: 'give a run id from `hpcbench runs`, `latest`, or log files' });
  }
  const manifest = readManifestView(join(runDir, 'manifest.json'));
  const sacctFile = join(runDir, 'sacct.txt');
  const sacct = new Map<string, SacctJob>();
  if (existsSync(sacctFile)) {
    for (const job of readSacctJobs(await readWholeTextFile(sacctFile, 'sacct output'), { file: sacctFile, ...sacctFieldsOf(options) })) sacct.set(job.jobId, job);
  }
  const sources: SourceFile[] = [];
  const tasks: TaskMetrics[] = [];
  const local = readRunView(join(runDir, 'run.json'))?.local === true;
  for (const spec of await discoverTasks(runDir, manifest)) tasks.push(await profileTask(spec, options, sacct, sources, runDir, local));
  if (existsSync(sacctFile)) sources.push({ file: 'sacct.txt', kind: 'sacct', task: undefined, rejected: undefined });
  enforce(sources, options.strict);
  return buildDocument(runDir, manifest, tasks, sources, options);
}

/** Profiles loose files as one task: their kinds are recognised from their content. */
export async function profileFiles(files: readonly string[], options: ProfileOptions = {}): Promise<MetricsDocument> {
  const classified: { file: string; kind: LogKind }[] = [];
  const sacct = new Map<string, SacctJob>();
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new InputError('no such file', { file });
    let kind = kindByName(basename(file)) ?? (await detectLogKind(file));
    // Headerless sacct output has nothing to recognise it by; a given field list says what it is.
    if (kind === 'unknown' && options.sacctFields !== undefined && isSacctWithFields(file, options.sacctFields)) kind = 'sacct';
    // A headerless nvidia-smi log with nothing to recognise it by: the given field list says what it is.
    if (kind === 'unknown' && options.gpuFields !== undefined && (await matchesGpuFields(file, options.gpuFields))) kind = 'nvidia-smi';
    if (kind === 'unknown') {
      throw new InputError('unrecognised log: expected an nvidia-smi query CSV or dmon log, an inference JSONL or vLLM result, a training log, sacct output, metadata.json or process.json', {
        file,
        hint: 'for another text log format, add regex extractors under profiling.extractors in hpcbench.yaml',
      });
    }
    if (kind === 'sacct') for (const job of readSacctJobs(await readWholeTextFile(file, 'sacct output'), { file, ...sacctFieldsOf(options) })) sacct.set(job.jobId, job);
    else classified.push({ file, kind });
  }
  const spec: TaskFiles = { experiment: 'files', task: 'main', dir: process.cwd(), params: {}, gpuFields: undefined, files: classified };
  const sources: SourceFile[] = [];
  const task = await profileTask(spec, options, sacct, sources, process.cwd());
  // With loose files a single sacct job is the one described, whatever its id.
  if (!task.accounting && sacct.size === 1) {
    const job = [...sacct.values()][0] as SacctJob;
    task.accounting = computeAccountingMetrics(sacctToRecord(job), { rates: options.rates, outputTokens: task.inference?.totalOutputTokens ?? undefined });
    task.missing = task.missing.filter((m) => m.section !== 'accounting');
    task.job_id ??= job.jobId;
  }
  enforce(sources, options.strict);
  return buildDocument(process.cwd(), undefined, [task], sources, options);
}
