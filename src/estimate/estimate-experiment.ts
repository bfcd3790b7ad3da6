/**
 * `hpcbench estimate`: every phase of an experiment's dependency chain (each sweep point of each
 * experiment) projected from a profiled pilot, with the sum. Returns data; printing is separate.
 * A phase without a pilot or without a work size is never guessed: all that is missing is
 * reported at once, with the commands that provide it.
 */
import type { Experiment, ResolvedConfig } from '../config/index.js';
import type { RawEstimate } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { toAccountingRates } from '../profile/accounting/accounting.js';
import { expandSweep } from '../render/sweep.js';
import { findPilotTask, type PilotRun } from './find-pilots.js';
import type { PilotRate, WorkUnit } from './pilot-rate.js';
import { DEFAULT_MARGIN_PCT, projectPhase, type Interval, type PhaseProjection, type PhaseResources, type WorkSize } from './project-phase.js';

export interface EstimateOptions {
  config: ResolvedConfig;
  experiment: string;
  /** Each experiment's `estimate:` block as written (the resolved config does not carry it). */
  estimates: Readonly<Record<string, RawEstimate | undefined>>;
  /** --from runs first, then the runs under results/, newest first. */
  pilots: readonly PilotRun[];
  /** --work: amount per experiment. */
  work: ReadonlyMap<string, number>;
  /** Overrides every phase's `estimate.margin_pct`. */
  marginPct?: number;
}

export interface EstimatePhase {
  experiment: string;
  /** The sweep point's parameters; null for an experiment without a sweep. */
  point: Record<string, string | number | boolean> | null;
  partition: string;
  pilot: PilotRate & { run: string };
  resources: PhaseResources;
  checkpoint: { enabled: boolean; secondsBefore: number; maxRestarts: number };
  projection: PhaseProjection;
}

export interface EstimateTotal {
  wallS: Interval;
  gpuHours: Interval;
  cpuHours: Interval;
  serviceUnits: Interval | null;
  cost: Interval | null;
  currency: string | null;
}

export interface EstimateResult {
  experiment: string;
  cluster: string;
  phases: EstimatePhase[];
  total: EstimateTotal;
}

/** The experiment and everything it depends on, dependencies first. */
function orderChain(config: ResolvedConfig, experiment: string): Experiment[] {
  const order: Experiment[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const exp = config.experiments[name];
    if (exp === undefined) return;
    for (const dep of exp.depends_on) visit(dep);
    order.push(exp);
  };
  visit(experiment);
  return order;
}

/** --work first, then the `estimate:` block; the unit follows from which field is set. */
function resolveWorkSize(experiment: string, flag: number | undefined, block: RawEstimate | undefined, pilotUnit: WorkUnit | null): WorkSize | null {
  if (flag !== undefined) {
    if (pilotUnit === null) return null;
    return { amount: flag, unit: pilotUnit, from: '--work' };
  }
  if (block?.steps !== undefined) return { amount: block.steps, unit: 'steps', from: `experiments.${experiment}.estimate.steps` };
  if (block?.epochs !== undefined && block.steps_per_epoch !== undefined) {
    return { amount: Math.ceil(block.epochs * block.steps_per_epoch), unit: 'steps', from: `experiments.${experiment}.estimate.epochs × steps_per_epoch` };
  }
  if (block?.items !== undefined) return { amount: block.items, unit: 'items', from: `experiments.${experiment}.estimate.items` };
  return null;
}

function describeResources(config: ResolvedConfig, exp: Experiment): PhaseResources {
  const partition = config.clusters[exp.cluster]?.partitions[exp.partition];
  const requestedCpus = exp.resources.ntasks_per_node * exp.resources.cpus_per_task;
  const wholeNode = partition?.whole_node ?? false;
  return {
    nodes: exp.resources.nodes,
    billedGpusPerNode: wholeNode && partition !== undefined ? Math.max(partition.gpus_per_node, exp.resources.gpus_per_node) : exp.resources.gpus_per_node,
    billedCpusPerNode: wholeNode && partition?.cpus_per_node !== undefined ? partition.cpus_per_node : requestedCpus,
    wholeNode,
  };
}

function describePoint(point: Record<string, string | number | boolean> | null): string {
  return point === null ? '' : ` (${Object.entries(point).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
}

function sumIntervals(items: readonly (Interval | null)[]): Interval | null {
  if (items.some((i) => i === null)) return null;
  return items.reduce<Interval>((acc, i) => (i === null ? acc : { estimate: acc.estimate + i.estimate, low: acc.low + i.low, high: acc.high + i.high }), { estimate: 0, low: 0, high: 0 });
}

function sumPhases(phases: readonly EstimatePhase[]): EstimateTotal {
  const charges = phases.map((p) => p.projection.charge);
  const zero: Interval = { estimate: 0, low: 0, high: 0 };
  return {
    wallS: sumIntervals(phases.map((p) => p.projection.wallS)) ?? zero,
    gpuHours: sumIntervals(charges.map((c) => c.gpuHours)) ?? zero,
    cpuHours: sumIntervals(charges.map((c) => c.cpuHours)) ?? zero,
    serviceUnits: phases.length === 0 ? null : sumIntervals(charges.map((c) => c.serviceUnits)),
    cost: phases.length === 0 ? null : sumIntervals(charges.map((c) => c.cost)),
    currency: charges[0]?.currency ?? null,
  };
}

function pilotCommand(exp: Experiment, point: Record<string, string | number | boolean> | null): string {
  const sets = point === null ? '' : Object.entries(point).map(([k, v]) => ` --set ${k}=${String(v)}`).join('');
  return `\`hpcbench submit ${exp.name}${sets}\` with a few hundred steps or items, then \`hpcbench fetch <run>\` and \`hpcbench profile <run>\``;
}

export function estimateExperiment(options: EstimateOptions): EstimateResult {
  const { config, experiment } = options;
  const target = config.experiments[experiment];
  if (target === undefined) {
    const names = Object.keys(config.experiments);
    throw new UsageError(`experiment '${experiment}' is not in ${config.file}`, names.length > 0 ? `experiments there: ${names.join(', ')}` : 'add it under `experiments:`');
  }
  const phases: EstimatePhase[] = [];
  const needs: string[] = [];
  for (const exp of orderChain(config, experiment)) {
    const cluster = config.clusters[exp.cluster];
    const partition = cluster?.partitions[exp.partition];
    const block = options.estimates[exp.name];
    const points: (Record<string, string | number | boolean> | null)[] = exp.sweep === undefined ? [null] : expandSweep(exp.sweep);
    for (const point of points) {
      const label = `${exp.name}${describePoint(point)}`;
      const pilot = findPilotTask(options.pilots, exp.name, point ?? undefined);
      if (pilot === undefined) {
        needs.push(`${label}: no profiled pilot run with a training log, an inference log or sacct's elapsed time; run a short pilot: ${pilotCommand(exp, point)}; or name one with --from`);
        continue;
      }
      const { rate } = pilot;
      const flag = options.work.get(exp.name);
      const work = resolveWorkSize(exp.name, flag, block, rate.unit);
      if (rate.unit === null && (flag !== undefined || work !== null)) {
        needs.push(`${label}: pilot ${pilot.run} has no training or inference log, only sacct's elapsed time, so it cannot be scaled to another work size; log steps or items, or drop --work and experiments.${exp.name}.estimate`);
        continue;
      }
      if (rate.unit !== null && work === null) {
        needs.push(`${label}: the size of the full work is unknown; pass --work N (${rate.unit}) or set experiments.${exp.name}.estimate.${rate.unit === 'steps' ? 'steps (or epochs and steps_per_epoch)' : 'items'}`);
        continue;
      }
      if (work !== null && rate.unit !== null && work.unit !== rate.unit) {
        needs.push(`${label}: ${work.from} counts ${work.unit}, but pilot ${pilot.run} measured ${rate.unit} (its ${rate.kind} log); give the work in ${rate.unit}`);
        continue;
      }
      const resources = describeResources(config, exp);
      const checkpoint = { enabled: exp.checkpoint.enabled, secondsBefore: exp.checkpoint.seconds_before, maxRestarts: exp.checkpoint.max_restarts };
      const projection = projectPhase(
        rate,
        work,
        resources,
        {
          limitS: partition?.max_time_s ?? cluster?.max_time_s,
          marginPct: options.marginPct ?? block?.margin_pct ?? DEFAULT_MARGIN_PCT,
          checkpoint,
        },
        toAccountingRates(cluster?.rates ?? {}),
      );
      phases.push({ experiment: exp.name, point, partition: exp.partition, pilot: { ...rate, run: pilot.run }, resources, checkpoint, projection });
    }
  }
  if (needs.length > 0) {
    throw new UsageError(`cannot estimate '${experiment}' without guessing:\n${needs.map((n) => `  - ${n}`).join('\n')}`, 'estimate scales what a pilot run measured; see docs/estimate.md');
  }
  return { experiment, cluster: target.cluster, phases, total: sumPhases(phases) };
}
