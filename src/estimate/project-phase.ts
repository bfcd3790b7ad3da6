/**
 * One phase's projection from its pilot's rate and the size of the full work: wall time with an
 * interval, the --time to ask for, checkpoint advice, and what the job will be billed.
 *
 * Definitions (docs/estimate.md):
 *   compute  = work × seconds per unit (low, mean, high of the pilot's 95 % interval)
 *   wall     = overhead + compute (overhead once per job); the interval ± 1 s where the
 *              overhead comes from sacct's whole-second Elapsed
 *   --time   = high wall × (1 + margin), rounded up to whole minutes
 *   when --time exceeds the partition's limit: jobs of the limit each, chained by checkpoint and
 *   requeue; each job does (limit − overhead − checkpoint.seconds_before) of compute
 *   checkpoint interval = the compute of min(30 min, compute / 10): a crash loses at most that
 *   billing  = wall hours × billed GPUs (CPUs): the whole node's where the partition bills whole nodes
 */
import { computeCharge, type AccountingRates } from '../profile/accounting/accounting.js';
import type { PilotRate, WorkUnit } from './pilot-rate.js';

export const DEFAULT_MARGIN_PCT = 20;
/** A crash or a missed signal should cost at most this much recomputation. */
const MAX_CHECKPOINT_INTERVAL_S = 1800;
/**
 * sacct's Elapsed is whole seconds: an overhead taken from it is uncertain by up to a second, and
 * so is the Elapsed the projection will be checked against. The interval is widened by this much.
 */
const SACCT_RESOLUTION_S = 1;

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface WorkSize {
  amount: number;
  unit: WorkUnit;
  /** `--work` or the experiment's `estimate:` block (`estimate.steps`, …). */
  from: string;
}

export interface PhaseResources {
  nodes: number;
  /** GPUs and CPUs the job is billed for, per node (the whole node's on a whole-node partition). */
  billedGpusPerNode: number;
  billedCpusPerNode: number;
  wholeNode: boolean;
}

export interface PhaseLimits {
  /** The partition's (else the cluster's) max_time in seconds; undefined when the config gives none. */
  limitS: number | undefined;
  marginPct: number;
  checkpoint: { enabled: boolean; secondsBefore: number; maxRestarts: number };
}

export interface PhaseCharge {
  gpuHours: Interval;
  cpuHours: Interval;
  serviceUnits: Interval | null;
  cost: Interval | null;
  currency: string | null;
}

export interface RestartChain {
  jobs: number;
  restarts: number;
  /** Compute each job does before its checkpoint signal. */
  computePerJobS: number;
  /** More restarts than checkpoint.max_restarts allows, or checkpointing is off. */
  exceedsMaxRestarts: boolean;
}

export interface PhaseProjection {
  work: WorkSize | null;
  computeS: Interval;
  overheadS: number;
  wallS: Interval;
  askTimeS: number;
  marginPct: number;
  limitS: number | null;
  fits: boolean;
  /** Set when --time is the partition limit with a smaller margin than asked (percent over the upper end). */
  marginCutToPct: number | null;
  chain: RestartChain | null;
  /** Unset where the chain cannot progress: the limit is not longer than overhead + signal time. */
  chainImpossible: boolean;
  checkpointEveryS: number | null;
  checkpointEveryUnits: number | null;
  charge: PhaseCharge;
}

function roundUpToMinutes(seconds: number): number {
  return Math.max(60, Math.ceil(seconds / 60) * 60);
}

function scale(interval: Interval, factor: number): Interval {
  return { estimate: interval.estimate * factor, low: interval.low * factor, high: interval.high * factor };
}

/** GPU-hours, CPU-hours, service units and cost over the wall-time interval. */
function computePhaseCharge(wallS: Interval, resources: PhaseResources, rates: AccountingRates): PhaseCharge {
  const gpuHours = scale(wallS, (resources.nodes * resources.billedGpusPerNode) / 3600);
  const cpuHours = scale(wallS, (resources.nodes * resources.billedCpusPerNode) / 3600);
  const at = (pick: (i: Interval) => number): { serviceUnits?: number; cost?: number } => computeCharge(pick(cpuHours), pick(gpuHours), rates);
  const [e, l, h] = [at((i) => i.estimate), at((i) => i.low), at((i) => i.high)];
  const su = e.serviceUnits !== undefined && l.serviceUnits !== undefined && h.serviceUnits !== undefined ? { estimate: e.serviceUnits, low: l.serviceUnits, high: h.serviceUnits } : null;
  const cost = e.cost !== undefined && l.cost !== undefined && h.cost !== undefined ? { estimate: e.cost, low: l.cost, high: h.cost } : null;
  return { gpuHours, cpuHours, serviceUnits: su, cost, currency: rates.currency ?? null };
}

/** The compute interval: work × seconds per unit, or the pilot's own compute for an elapsed-only pilot of the same job. */
function projectCompute(rate: PilotRate, work: WorkSize | null): Interval {
  if (work === null || rate.secondsPerUnit === null) {
    const elapsed = rate.elapsedS ?? 0;
    return { estimate: elapsed, low: elapsed, high: elapsed };
  }
  const mean = rate.secondsPerUnit;
  return { estimate: work.amount * mean, low: work.amount * (rate.secondsPerUnitLow ?? mean), high: work.amount * (rate.secondsPerUnitHigh ?? mean) };
}

function planChain(computeHighS: number, overheadS: number, limits: PhaseLimits, limitS: number): { chain: RestartChain | null; impossible: boolean } {
  const signal = limits.checkpoint.enabled ? limits.checkpoint.secondsBefore : 0;
  const perJob = limitS - overheadS - signal;
  if (perJob <= 0) return { chain: null, impossible: true };
  const jobs = Math.ceil(computeHighS / perJob);
  const restarts = jobs - 1;
  return {
    chain: { jobs, restarts, computePerJobS: perJob, exceedsMaxRestarts: !limits.checkpoint.enabled || restarts > limits.checkpoint.maxRestarts },
    impossible: false,
  };
}

export function projectPhase(rate: PilotRate, work: WorkSize | null, resources: PhaseResources, limits: PhaseLimits, rates: AccountingRates): PhaseProjection {
  const computeS = projectCompute(rate, work);
  const overheadS = rate.overheadS;
  const slack = rate.overheadKnown ? SACCT_RESOLUTION_S : 0;
  let wallS: Interval = { estimate: computeS.estimate + overheadS, low: Math.max(0, computeS.low + overheadS - slack), high: computeS.high + overheadS + slack };
  const wanted = roundUpToMinutes(wallS.high * (1 + limits.marginPct / 100));
  const limitS = limits.limitS ?? null;
  const fits = limitS === null || wanted <= limitS;
  let chain: RestartChain | null = null;
  let chainImpossible = false;
  let marginCutToPct: number | null = null;
  if (!fits && limitS !== null) {
    const planned = planChain(computeS.high, overheadS, limits, limitS);
    chain = planned.chain;
    chainImpossible = planned.impossible;
    if (chain !== null && chain.jobs === 1) {
      // One job of the limit holds the work, only with less margin: no chain, a thinner margin.
      marginCutToPct = wallS.high > 0 ? (limitS / wallS.high - 1) * 100 : null;
      chain = null;
    }
    if (chain !== null) {
      // Every job of the chain pays the overhead again and stops seconds_before its limit.
      const extra = (chain.jobs - 1) * overheadS + chain.restarts * (limits.checkpoint.enabled ? limits.checkpoint.secondsBefore : 0);
      wallS = { estimate: wallS.estimate + extra, low: wallS.low + extra, high: wallS.high + extra };
    }
  }
  const everyS = computeS.estimate > 0 ? Math.min(MAX_CHECKPOINT_INTERVAL_S, computeS.estimate / 10) : null;
  const everyUnits = everyS !== null && rate.secondsPerUnit !== null && work !== null ? Math.max(1, Math.floor(everyS / rate.secondsPerUnit)) : null;
  return {
    work,
    computeS,
    overheadS,
    wallS,
    askTimeS: fits ? wanted : (limitS ?? wanted),
    marginPct: limits.marginPct,
    limitS,
    fits: fits || marginCutToPct !== null,
    marginCutToPct,
    chain,
    chainImpossible,
    checkpointEveryS: everyS,
    checkpointEveryUnits: everyUnits,
    charge: computePhaseCharge(wallS, resources, rates),
  };
}
