/**
 * One way to translate: every word a report, `compare` or an advice prints comes from the
 * catalogue of the report's language (en.ts, pt-BR.ts). A new language needs a new catalogue and
 * its line in CATALOGUES; the templates, advice and parsers stay as they are (parsers and the
 * advisor hand over codes and values, never words).
 */
import type { AdviceCode, AdviceGroup } from '../advisor.js';
import type { BundleGap } from '../run-bundle.js';
import type { BundleRefusal } from '../bundle-files.js';
import type { MissingLine } from '../report-model.js';
import type { Provenance } from '../provenance.js';
import type { CheckpointAction } from '../../profile/training/checkpoint-log.js';
import type { CheckpointReasonCode } from '../../slurm/checkpoint-stop.js';
import { formatNumber, formatPercent, formatPercentValue, type ReportLang } from '../format.js';
import type { Catalogue, Message } from './catalogue.js';
import type { ProfileWarning } from './profile-warnings.js';
import { EN } from './en.js';
import { PT_BR } from './pt-BR.js';

export type { Catalogue } from './catalogue.js';

const CATALOGUES = new Map<string, Catalogue>([
  ['en', EN],
  ['pt-BR', PT_BR],
]);

/**
 * Adds a report language (or replaces one) at run time, for library users: every format then
 * renders in it with `lang` set to the tag (a BCP 47 tag, also used to format numbers). The CLI's
 * `--lang` offers REPORT_LANGS, the catalogues shipped here.
 */
export function registerCatalogue(lang: string, catalogue: Catalogue): void {
  CATALOGUES.set(lang, catalogue);
}

export function catalogueFor(lang: ReportLang): Catalogue {
  const catalogue = CATALOGUES.get(lang);
  if (catalogue === undefined) throw new Error(`no message catalogue for report language '${lang}'`);
  return catalogue;
}

export type Labels = Catalogue['labels'];

export function labelsFor(lang: ReportLang): Labels {
  return catalogueFor(lang).labels;
}

/** Fills `{name}` placeholders from `values`, leaving unknown ones as they are. */
function fillMessage(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The wording that agrees with `count` (several differing counts read as plural). */
function pickWording(message: Message, counts: readonly (string | number)[] | undefined): string {
  if (typeof message === 'string') return message;
  const distinct = new Set(counts ?? []);
  return distinct.size === 1 && [...distinct][0] === 1 ? message.one : message.other;
}

const FRACTION_KEYS = new Set(['busy', 'efficiency', 'rate', 'peak']);
const PERCENT_VALUE_KEYS = new Set(['mean']);
const INTEGER_KEYS = new Set(['count', 'n', 'min', 'failed', 'kept', 'cpus', 'allocated', 'working', 'restarts', 'used', 'total']);

function formatAdviceValue(key: string, value: string | number, lang: ReportLang): string {
  if (typeof value === 'string') return value;
  if (FRACTION_KEYS.has(key)) return formatPercent(value, lang);
  if (PERCENT_VALUE_KEYS.has(key)) return formatPercentValue(value, lang);
  if (INTEGER_KEYS.has(key)) return formatNumber(value, lang, 0);
  return formatNumber(value, lang);
}

type Escape = (text: string) => string;
const identity: Escape = (t) => t;

// Line numbers and file positions read as written ("file.csv:1234"), not as formatted quantities.
const RAW_WARNING_KEYS = new Set(['line', 'step', 'entry']);

// Seconds the profiler wrote with fixed decimals ("3595.0"): the same digits, in the language's notation.
const FIXED_DECIMAL = /^\d+\.(\d+)$/;

function formatWarningValue(key: string, value: string | number, lang: ReportLang): string {
  if (RAW_WARNING_KEYS.has(key)) return String(value);
  if (typeof value === 'number') return formatNumber(value, lang, Number.isInteger(value) ? 0 : undefined);
  const fixed = FIXED_DECIMAL.exec(value);
  return fixed === null ? value : formatNumber(Number(value), lang, fixed[1]?.length);
}

/** One profiler warning in the report's language, "experiment/task: …" when it belongs to a task; `escape` applies to the values only. */
function describeProfileWarning(warning: ProfileWarning, lang: ReportLang, escape: Escape = identity): string {
  const message = catalogueFor(lang).warnings[warning.code];
  const count = typeof message === 'string' ? undefined : warning.values[message.count];
  const wording = pickWording(message, count === undefined ? undefined : [count]);
  const values = Object.fromEntries(
    Object.entries(warning.values).map(([key, value]) => [
      key,
      escape(formatWarningValue(key, value, lang)),
    ]),
  );
  const text = fillMessage(wording, values);
  return warning.task === undefined ? text : `${escape(warning.task)}: ${text}`;
}

/** One advice (code + values) in the report's language; `escape` applies to the values only (they come from logs). */
export function describeAdvice(advice: { code: AdviceCode; values: Record<string, string | number>; warning?: ProfileWarning }, lang: ReportLang, escape: Escape = identity): string {
  if (advice.warning !== undefined) return describeProfileWarning(advice.warning, lang, escape);
  const message = catalogueFor(lang).advice[advice.code];
  const countKey = typeof message === 'string' ? undefined : message.count;
  const count = countKey === undefined ? undefined : advice.values[countKey];
  const wording = pickWording(message, count === undefined ? undefined : [count]);
  return fillMessage(wording, Object.fromEntries(Object.entries(advice.values).map(([key, value]) => [key, escape(formatAdviceValue(key, value, lang))])));
}

/**
 * One advice kind for the tasks of one experiment, in one sentence: a value the tasks share is
 * said once, numbers that differ as their range (low–high; the tables give each task's), and
 * other values that differ are listed.
 */
export function describeAdviceGroup(group: AdviceGroup, lang: ReportLang, escape: Escape = identity): string {
  if (group.warning !== undefined) return describeProfileWarning(group.warning, lang, escape);
  const message = catalogueFor(lang).advice[group.code];
  const wording = pickWording(message, typeof message === 'string' ? undefined : group.values[message.count]);
  const filled: Record<string, string> = {};
  for (const [key, list] of Object.entries(group.values)) {
    const distinct = [...new Set(list.map((v) => formatAdviceValue(key, v, lang)))];
    const numbers = list.filter((v): v is number => typeof v === 'number');
    if (distinct.length > 1 && numbers.length === list.length) {
      filled[key] = escape(`${formatAdviceValue(key, Math.min(...numbers), lang)}–${formatAdviceValue(key, Math.max(...numbers), lang)}`);
    } else filled[key] = escape(distinct.join(', '));
  }
  return fillMessage(wording, filled);
}

/** "task a" / "tasks a, b, c" for the head of a grouped advice line. */
export function describeTaskList(tasks: readonly string[], lang: ReportLang, escape: Escape = identity): string {
  const L = labelsFor(lang);
  return fillMessage(tasks.length === 1 ? L.tasksOne : L.tasksMany, { tasks: tasks.map(escape).join(', ') });
}

/** "experiment/task: reason" in the report's language; a document without codes keeps its English reason. */
export function describeMissingLine(line: MissingLine, lang: ReportLang, escape: Escape = identity): string {
  const values = Object.fromEntries(Object.entries(line.values ?? {}).map(([k, v]) => [k, v === undefined ? v : escape(v)]));
  const reason = line.code === undefined ? escape(line.reason) : fillMessage(catalogueFor(lang).missing[line.code], values);
  return `${escape(line.task)}: ${reason}`;
}

export function describeCheckpointReason(code: CheckpointReasonCode, lang: ReportLang): string {
  return catalogueFor(lang).checkpointReason[code];
}

export function describeCheckpointAction(action: CheckpointAction, lang: ReportLang): string {
  return catalogueFor(lang).checkpointAction[action];
}

export function describeBundleGap(gap: BundleGap, lang: ReportLang): string {
  return catalogueFor(lang).gaps[gap];
}

/** "is a symbolic link; links are not followed: not embedded" (the template shows the path before it). */
export function describeBundleRefusal(refusal: BundleRefusal, lang: ReportLang): string {
  const words = catalogueFor(lang).refusals;
  return `${words[refusal.reason]}: ${words.notEmbedded}`;
}

/** The first-screen note on generated or stand-in data; empty when the figures come from real jobs. */
export function describeProvenance(provenance: Provenance, taskCount: number, lang: ReportLang, escape: Escape = identity): string {
  const L = labelsFor(lang);
  const sentences: string[] = [];
  if (provenance.generated.length > 0) {
    const which = provenance.generated.length === taskCount ? L.provenanceGeneratedAll : fillMessage(L.provenanceGeneratedSome, { tasks: provenance.generated.map(escape).join(', ') });
    sentences.push(fillMessage(L.provenanceGenerated, { which }));
  }
  if (provenance.standInTasks.length > 0) sentences.push(fillMessage(L.provenanceStandIn, { backends: provenance.standInBackends.map(escape).join(', ') }));
  return sentences.join(' ');
}
