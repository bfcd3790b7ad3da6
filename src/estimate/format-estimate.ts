/**
 * An estimate as Markdown (one table row per phase, the sum, then notes and the method) or as
 * JSON (the EstimateResult itself, with a schema tag; seconds and hours as numbers).
 */
import { formatDuration, formatMiB, formatNumber, type ReportLang } from '../report/format.js';
import { escapeMarkdown } from '../report/markdown-escape.js';
import { formatSlurmDuration } from '../slurm/time.js';
import type { EstimatePhase, EstimateResult } from './estimate-experiment.js';
import { nameUnit, translateEstimate } from './messages.js';
import type { Interval } from './project-phase.js';

const ESTIMATE_SCHEMA_ID = 'hpcbench.estimate/1';

/** camelCase to snake_case, as every JSON file and output of hpcbench spells its keys (MiB stays one word). */
function toSnakeKey(key: string): string {
  return key.replace(/MiB/g, 'Mib').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Keys converted all the way down, except under `point`: the sweep's parameter names are the user's. */
function convertKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convertKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toSnakeKey(k), k === 'point' ? v : convertKeys(v)]));
}

/** The estimate as `--json` prints it: `schema` first, every key in snake_case. */
export function toEstimateJson(result: EstimateResult): Record<string, unknown> {
  return { schema: ESTIMATE_SCHEMA_ID, ...(convertKeys(result) as Record<string, unknown>) };
}

function labelPhase(phase: EstimatePhase): string {
  return phase.point === null ? phase.experiment : `${phase.experiment} (${Object.entries(phase.point).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
}

function formatWall(interval: Interval): string {
  return interval.low === interval.high ? formatDuration(interval.estimate) : `${formatDuration(interval.estimate)} (${formatDuration(interval.low)}–${formatDuration(interval.high)})`;
}

function formatAmount(interval: Interval | null, lang: ReportLang, suffix = ''): string {
  if (interval === null) return '—';
  const digits = interval.high >= 100 ? 0 : 2;
  const estimate = formatNumber(interval.estimate, lang, digits);
  const high = formatNumber(interval.high, lang, digits);
  return high === estimate ? `${estimate}${suffix}` : `${estimate}${suffix} (≤ ${high})`;
}

function formatRate(phase: EstimatePhase, lang: ReportLang): string {
  const { pilot } = phase;
  if (pilot.secondsPerUnit === null) return translateEstimate(lang, 'sameJob', { value: formatDuration(pilot.elapsedS) });
  const value = formatNumber(pilot.secondsPerUnit, lang);
  const rate = translateEstimate(lang, pilot.unit === 'items' ? 'perItem' : 'perStep', { value });
  const spread = pilot.intervalMethod === 'window-spread' ? translateEstimate(lang, 'windows', { n: String(pilot.windows) }) : pilot.intervalMethod === 'bootstrap' ? translateEstimate(lang, 'bootstrap') : '';
  return spread === '' ? rate : `${rate} (${spread})`;
}

function formatWork(phase: EstimatePhase, lang: ReportLang): string {
  const work = phase.projection.work;
  if (work === null) return '—';
  return translateEstimate(lang, work.unit, { n: formatNumber(work.amount, lang, 0) });
}

function formatCheckpoint(phase: EstimatePhase, lang: ReportLang): string {
  const { checkpointEveryS: s, checkpointEveryUnits: units, work } = phase.projection;
  if (s === null) return '—';
  if (units === null || work === null) return formatDuration(s);
  return `${translateEstimate(lang, work.unit, { n: formatNumber(units, lang, 0) })} (${formatDuration(s)})`;
}

function describeNotes(phase: EstimatePhase, lang: ReportLang): string[] {
  const p = phase.projection;
  // Names and parameter values come from the config: escaped, as every value in a Markdown report.
  const name = escapeMarkdown(labelPhase(phase));
  const notes: string[] = [];
  const { pilot } = phase;
  if (pilot.overheadKnown && pilot.unit !== null && pilot.workDone !== null && pilot.secondsPerUnit !== null) {
    notes.push(
      translateEstimate(lang, 'overhead', {
        phase: name,
        overhead: formatDuration(pilot.overheadS),
        elapsed: formatDuration(pilot.elapsedS),
        run: escapeMarkdown(pilot.run),
        work: formatNumber(pilot.workDone, lang, 0),
        unit: nameUnit(lang, pilot.unit),
        rate: formatNumber(pilot.secondsPerUnit, lang),
      }),
    );
  } else if (pilot.unit !== null) notes.push(translateEstimate(lang, 'overheadUnknown', { phase: name, run: escapeMarkdown(pilot.run) }));
  if (p.limitS === null) notes.push(translateEstimate(lang, 'noLimit', { phase: name, partition: escapeMarkdown(phase.partition) }));
  if (p.chainImpossible && p.limitS !== null) notes.push(translateEstimate(lang, 'chainImpossible', { phase: name, limit: formatSlurmDuration(p.limitS) }));
  const wanted = formatSlurmDuration(Math.ceil((p.wallS.high * (1 + p.marginPct / 100)) / 60) * 60);
  if (p.marginCutToPct !== null && p.limitS !== null) {
    notes.push(translateEstimate(lang, 'marginCut', { phase: name, wanted, limit: formatSlurmDuration(p.limitS), margin: formatNumber(p.marginCutToPct, lang, 0) }));
  }
  if (p.chain !== null && p.limitS !== null) {
    notes.push(
      translateEstimate(lang, 'chain', {
        phase: name,
        wanted,
        limit: formatSlurmDuration(p.limitS),
        jobs: String(p.chain.jobs),
        restarts: String(p.chain.restarts),
        perJob: formatDuration(p.chain.computePerJobS),
      }),
    );
    if (p.chain.exceedsMaxRestarts) {
      const max = phase.checkpoint;
      if (!max.enabled) notes.push(translateEstimate(lang, 'chainCheckpointOff', { phase: name, every: formatCheckpoint(phase, lang) }));
      else notes.push(translateEstimate(lang, 'chainMaxRestarts', { phase: name, restarts: String(p.chain.restarts), max: String(max.maxRestarts) }));
    }
  }
  if (phase.resources.wholeNode) {
    notes.push(translateEstimate(lang, 'wholeNode', { phase: name, partition: escapeMarkdown(phase.partition), gpus: String(phase.resources.billedGpusPerNode), cpus: String(phase.resources.billedCpusPerNode) }));
  }
  if (pilot.gpuMemoryPeakMiB !== null) notes.push(translateEstimate(lang, 'gpuMemory', { phase: name, memory: formatMiB(pilot.gpuMemoryPeakMiB, lang) }));
  return notes;
}

export function formatEstimateMarkdown(result: EstimateResult, lang: ReportLang = 'en'): string {
  const t = (key: Parameters<typeof translateEstimate>[1], values?: Record<string, string>): string => translateEstimate(lang, key, values);
  const currency = result.total.currency === null ? '' : ` ${result.total.currency}`;
  const header = [t('phase'), t('pilot'), t('rate'), t('work'), t('wall'), t('ask'), t('checkpoint'), t('gpuHours'), t('cpuHours'), t('serviceUnits'), `${t('cost')}${currency}`];
  const lines = [`# ${t('title', { experiment: escapeMarkdown(result.experiment), cluster: escapeMarkdown(result.cluster) })}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const phase of result.phases) {
    const p = phase.projection;
    const pilot = phase.pilot.jobId === null ? phase.pilot.run : `${phase.pilot.run} (job ${phase.pilot.jobId})`;
    const cells = [
      labelPhase(phase),
      pilot,
      formatRate(phase, lang),
      formatWork(phase, lang),
      formatWall(p.wallS),
      formatSlurmDuration(p.askTimeS),
      formatCheckpoint(phase, lang),
      formatAmount(p.charge.gpuHours, lang),
      formatAmount(p.charge.cpuHours, lang),
      formatAmount(p.charge.serviceUnits, lang),
      formatAmount(p.charge.cost, lang),
    ];
    lines.push(`| ${cells.map((c) => escapeMarkdown(c)).join(' | ')} |`);
  }
  const total = result.total;
  lines.push(
    `| **${t('total')}** |  |  |  | ${formatWall(total.wallS)} |  |  | ${formatAmount(total.gpuHours, lang)} | ${formatAmount(total.cpuHours, lang)} | ${formatAmount(total.serviceUnits, lang)} | ${formatAmount(total.cost, lang)} |`,
  );
  const notes = result.phases.flatMap((phase) => describeNotes(phase, lang));
  if (result.phases.length > 1) notes.push(t('totalSerial'));
  if (notes.length > 0) lines.push('', `## ${t('notes')}`, '', ...notes.map((n) => `- ${n}`));
  const margins = [...new Set(result.phases.map((p) => p.projection.marginPct))];
  lines.push('', t('method', { margin: margins.map((m) => formatNumber(m, lang, 0)).join('/') }));
  return `${lines.join('\n')}\n`;
}
