/**
 * Progress and ETA of a running task from the lines its logs gained since the last cycle. The
 * lines go through profile's own parsers (training JSONL, Trainer stdout with its tqdm bars,
 * inference JSONL), so a live watch and `hpcbench profile` read a log the same way.
 *
 * Definitions (README "Live watch"):
 * - progress = done / total: optimizer steps for training (the step of the latest record, or the
 *   training bar's `N/M`), items (requests × batch size) for inference.
 * - total: `max_steps`/`total_steps` written in a JSONL record, else the Trainer banner's
 *   `Total optimization steps`, else the training bar's `M`; for inference a header parameter
 *   `total_items`, `num_prompts` or `num_requests`; else the experiment's `estimate:` block
 *   (steps, epochs × steps_per_epoch, items).
 * - rate: over a trailing window of the watch's own observations (`(done_now − done_then) /
 *   (t_now − t_then)`, the oldest observation within `windowMs`); with a single observation,
 *   done / elapsed time of the job (startup included, so a lower bound on the rate).
 * - ETA = (total − done) / rate; the task's projected elapsed time is elapsed + ETA.
 */
import { parseInferenceLine, type InferenceParams } from '../profile/inference/schema.js';
import { parseTrainerLine, parseTrainingJsonLine, TrainerProgress, type TrainingLine } from '../profile/training/log.js';

export interface Observation {
  atMs: number;
  done: number;
}

/** Trailing window of the rate, by default 10 minutes of observations. */
const DEFAULT_RATE_WINDOW_MS = 10 * 60 * 1000;

export interface RateEstimate {
  perSecond: number;
  source: 'window' | 'since-start';
}

/**
 * Rate over the trailing window: from the oldest observation inside it to the newest. Undefined
 * until the window spans time and progress moved; then the fallback is done / elapsed.
 */
function estimateRate(observations: readonly Observation[], windowMs = DEFAULT_RATE_WINDOW_MS, elapsedS?: number): RateEstimate | undefined {
  const last = observations[observations.length - 1];
  if (last === undefined) return undefined;
  const first = observations.find((o) => last.atMs - o.atMs <= windowMs) ?? last;
  const spanS = (last.atMs - first.atMs) / 1000;
  if (spanS > 0 && last.done > first.done) return { perSecond: (last.done - first.done) / spanS, source: 'window' };
  if (elapsedS !== undefined && elapsedS > 0 && last.done > 0) return { perSecond: last.done / elapsedS, source: 'since-start' };
  return undefined;
}

/** Seconds left at `perSecond`; undefined without a total or a rate, 0 when done. */
function estimateEtaSeconds(done: number, total: number | undefined, perSecond: number | undefined): number | undefined {
  if (total === undefined || perSecond === undefined || !(perSecond > 0)) return undefined;
  return Math.max(0, total - done) / perSecond;
}

export interface TaskProgress {
  unit: 'steps' | 'items';
  done: number;
  total?: number;
  /** done / total, 0..1 (absent without a total). */
  fraction?: number;
  ratePerS?: number;
  rateSource?: RateEstimate['source'];
  etaS?: number;
  /** Where `total` came from: a record's max_steps, the Trainer banner or bar, an inference header, the experiment's `estimate:`. */
  totalFrom?: 'log' | 'trainer' | 'header' | 'config';
}

/** The size of the work as the experiment's `estimate:` block gives it. */
export interface PlannedWork {
  steps?: number;
  items?: number;
}

const MAX_STEPS = /"(?:max_steps|total_steps)"\s*:\s*(\d+)/;
const TOTAL_ITEM_KEYS = ['total_items', 'num_prompts', 'num_requests'] as const;

function totalFromParams(params: InferenceParams): number | undefined {
  for (const key of TOTAL_ITEM_KEYS) {
    const value = params[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

/** What one running task's logs say about its progress, fed line by line across cycles. */
export class ProgressTracker {
  private trainer = new TrainerProgress();
  private jsonl: boolean | undefined;
  private step: number | undefined;
  private stepTotal: number | undefined;
  private items = 0;
  private itemTotal: number | undefined;
  private headerParams: InferenceParams = {};
  private readonly observations: Observation[] = [];
  private lineNumber = 0;

  constructor(private readonly windowMs = DEFAULT_RATE_WINDOW_MS) {}

  /** A line of the training log (JSONL or Trainer stdout, detected on its first line). */
  addTrainingLine(text: string): void {
    if (text.trim() === '') return;
    this.jsonl ??= text.trimStart().startsWith('{"');
    if (this.jsonl) {
      const total = MAX_STEPS.exec(text);
      if (total?.[1] !== undefined) this.stepTotal = Number(total[1]);
      this.takeSteps(parseTrainingJsonLine(text, ++this.lineNumber));
    } else this.addStdoutLine(text);
  }

  /** A line of job.out/job.err: Trainer dicts, banners and tqdm bars among everything else. */
  addStdoutLine(text: string): void {
    this.trainer.observeBanner(text);
    this.takeSteps(parseTrainerLine(text, ++this.lineNumber, this.trainer));
    const bar = this.trainer.forStep();
    if (bar !== undefined) this.step = Math.max(this.step ?? 0, bar);
  }

  /** A line of an inference JSONL log: each request (or batch) counts `batch_size` items. */
  addInferenceLine(text: string): void {
    if (text.trim() === '') return;
    const parsed = parseInferenceLine(text, this.headerParams);
    if (parsed.kind === 'header') {
      this.headerParams = parsed.header.params ?? {};
      this.itemTotal = totalFromParams(this.headerParams) ?? this.itemTotal;
    } else if (parsed.kind === 'record' && !parsed.record.warmup) this.items += parsed.record.batchSize;
  }

  /** The file was truncated or replaced: what it said is no longer its content. */
  resetTraining(): void {
    this.trainer = new TrainerProgress();
    this.jsonl = undefined;
  }

  private takeSteps(parsed: TrainingLine): void {
    if (parsed.kind !== 'records') return;
    for (const record of parsed.records) {
      if (record.kind === 'step' && record.step !== undefined) this.step = Math.max(this.step ?? 0, record.step);
    }
  }

  /** Records what is done at `atMs` (once per cycle) and returns the estimate; `planned`: the config's sizes, used when the logs name none. */
  observe(atMs: number, elapsedS?: number, planned: PlannedWork = {}): TaskProgress | undefined {
    const training = this.step !== undefined;
    if (!training && this.items === 0 && this.itemTotal === undefined) return undefined;
    const done = training ? (this.step as number) : this.items;
    const fromLogs = training ? (this.stepTotal ?? this.trainer.plannedSteps()) : this.itemTotal;
    const fromConfig = training ? planned.steps : planned.items;
    const total = fromLogs ?? fromConfig;
    const last = this.observations[this.observations.length - 1];
    if (last === undefined || last.atMs !== atMs) this.observations.push({ atMs, done });
    // Keep one observation older than the window so the window's start is always known.
    while (this.observations.length > 2 && atMs - (this.observations[1] as Observation).atMs > this.windowMs) this.observations.shift();
    const rate = estimateRate(this.observations, this.windowMs, elapsedS);
    const eta = estimateEtaSeconds(done, total, rate?.perSecond);
    const out: TaskProgress = { unit: training ? 'steps' : 'items', done };
    if (total !== undefined) {
      out.total = total;
      out.fraction = total > 0 ? Math.min(1, done / total) : 1;
      out.totalFrom = fromLogs === undefined ? 'config' : !training ? 'header' : this.stepTotal !== undefined ? 'log' : 'trainer';
    }
    if (rate) {
      out.ratePerS = rate.perSecond;
      out.rateSource = rate.source;
    }
    if (eta !== undefined) out.etaS = eta;
    return out;
  }
}
