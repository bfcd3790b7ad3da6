/**
 * The nunjucks environment for report templates (templates/report/), with per-language
 * formatting filters and the language's catalogue as `L` (templates hold no words of their own). Markdown is rendered without autoescaping: every value from jobs, logs or
 * configs goes through `md`/`cell` (escaped text) or `code`/`codecell` (a code span it cannot
 * close), and `mdhtml` inside raw HTML elements; HTML with autoescaping on, so every value is escaped unless a
 * template marks it `safe` (only the SVG charts are).
 */
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { BootstrapInterval } from '../stats/index.js';
import {
  describeAdvice,
  describeAdviceGroup,
  describeBundleGap,
  describeBundleRefusal,
  describeCheckpointAction,
  describeCheckpointReason,
  describeMissingLine,
  describeProvenance,
  describeTaskList,
  labelsFor,
} from './i18n/index.js';
import type { CheckpointAction } from '../profile/training/checkpoint-log.js';
import type { CheckpointReasonCode } from '../slurm/checkpoint-stop.js';
import type { MissingLine } from './report-model.js';
import type { BundleGap } from './run-bundle.js';
import type { BundleRefusal } from './bundle-files.js';
import { codeSpan, escapeMarkdown, htmlInMarkdown, textOf } from './markdown-escape.js';
import type { Advice, AdviceGroup } from './advisor.js';
import type { TaskMetrics } from '../profile/metrics-document.js';
import { isStandInTask, type Provenance } from './provenance.js';
import {
  formatChange,
  formatDuration,
  formatMiB,
  formatMs,
  formatNumber,
  formatPercent,
  formatPercentValue,
  formatValue,
  MISSING,
  type ReportLang,
} from './format.js';

const REPORT_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/report/', import.meta.url));

function formatParams(params: unknown, lang: ReportLang): string {
  if (typeof params !== 'object' || params === null) return MISSING;
  const entries = Object.entries(params as Record<string, unknown>);
  return entries.length === 0 ? MISSING : entries.map(([k, v]) => `${k}=${formatValue(v, lang)}`).join(', ');
}

/** A zero-width interval (every resample gave the same value) is left out rather than shown as certainty. */
function formatCiMs(ci: BootstrapInterval | null | undefined, lang: ReportLang): string {
  if (ci === null || ci === undefined || ci.low === ci.high) return '';
  return ` [${formatMs(ci.low, lang)} – ${formatMs(ci.high, lang)}]`;
}

function formatCi(ci: BootstrapInterval | null | undefined, lang: ReportLang): string {
  if (ci === null || ci === undefined || ci.low === ci.high) return '';
  return ` [${formatNumber(ci.low, lang)} – ${formatNumber(ci.high, lang)}]`;
}

/** A fence longer than any run of backticks in the text, so embedded files cannot close it. */
function fenceFor(text: unknown): string {
  const runs = textOf(text).match(/`+/g) ?? [];
  const longest = runs.reduce((n, r) => Math.max(n, r.length), 0);
  return '`'.repeat(Math.max(3, longest + 1));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function createReportEnvironment(lang: ReportLang, autoescape: boolean): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(REPORT_TEMPLATE_DIR, { noCache: true }), {
    autoescape,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('num', (v: unknown, digits?: number) => formatNumber(v, lang, digits));
  env.addFilter('int', (v: unknown) => formatNumber(v, lang, 0));
  env.addFilter('ms', (v: unknown, digits?: number) => formatMs(v, lang, digits));
  env.addFilter('pct', (v: unknown, digits?: number) => formatPercent(v, lang, digits));
  env.addFilter('pctv', (v: unknown, digits?: number) => formatPercentValue(v, lang, digits));
  env.addFilter('change', (v: unknown) => formatChange(v, lang));
  env.addFilter('dur', (v: unknown) => formatDuration(v));
  env.addFilter('mib', (v: unknown) => formatMiB(v, lang));
  env.addFilter('val', (v: unknown) => formatValue(v, lang));
  env.addFilter('params', (v: unknown) => formatParams(v, lang));
  env.addFilter('cims', (v: BootstrapInterval | null | undefined) => formatCiMs(v, lang));
  env.addFilter('ci', (v: BootstrapInterval | null | undefined) => formatCi(v, lang));
  // In Markdown the values inside a message are escaped, not the message (its wording has Markdown of its own); HTML autoescapes the whole.
  const escapeValue = autoescape ? (t: string) => t : escapeMarkdown;
  env.addFilter('advice', (a: Advice) => describeAdvice(a, lang, escapeValue));
  env.addFilter('advice_group', (g: AdviceGroup) => describeAdviceGroup(g, lang, escapeValue));
  env.addFilter('tasks', (tasks: string[]) => describeTaskList(tasks, lang, escapeValue));
  // The mark beside every figure measured through a stand-in backend (explained at the top of the report).
  env.addFilter('standin', (t: TaskMetrics) => (isStandInTask(t) ? ` ${labelsFor(lang).standInMark}` : ''));
  // HTML only: catalogue sentences mark commands and file names as Markdown code spans; the value is escaped first.
  env.addFilter('inline_code', (text: string) => new nunjucks.runtime.SafeString(escapeHtml(String(text)).replace(/`([^`]+)`/g, '<code>$1</code>')));
  env.addFilter('provenance_text', (p: Provenance, taskCount: number) => describeProvenance(p, taskCount, lang, escapeValue));
  // "`experiment/task`: " or "`experiment` (tasks a, b): " before a grouped advice (Markdown only; the HTML template builds its own).
  env.addFilter('advice_head', (g: AdviceGroup) => {
    if (g.experiment === undefined) return g.tasks.length > 0 ? `${codeSpan(g.tasks.join(', '))}: ` : '';
    if (g.tasks.length === 1) return `${codeSpan(`${g.experiment}/${g.tasks[0] ?? ''}`)}: `;
    return `${codeSpan(g.experiment)} (${describeTaskList(g.tasks, lang, escapeValue)}): `;
  });
  env.addFilter('gap', (g: BundleGap) => describeBundleGap(g, lang));
  env.addFilter('missing_line', (m: MissingLine) => describeMissingLine(m, lang, escapeValue));
  env.addFilter('ckpt_reason', (code: CheckpointReasonCode | null | undefined) => (code === null || code === undefined ? MISSING : describeCheckpointReason(code, lang)));
  env.addFilter('ckpt_action', (action: CheckpointAction) => describeCheckpointAction(action, lang));
  env.addFilter('fence', fenceFor);
  env.addFilter('cell', escapeMarkdown);
  env.addFilter('md', escapeMarkdown);
  env.addFilter('code', (v: unknown) => codeSpan(v));
  env.addFilter('codecell', (v: unknown) => codeSpan(v, true));
  env.addFilter('mdhtml', htmlInMarkdown);
  env.addFilter('refusal', (r: BundleRefusal) => describeBundleRefusal(r, lang));
  env.addFilter('or_missing', (v: unknown) => (v === null || v === undefined || v === '' ? MISSING : v));
  env.addFilter('subst', (template: string, values: Record<string, unknown>) =>
    String(template).replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole)),
  );
  env.addGlobal('L', labelsFor(lang));
  env.addGlobal('lang', lang);
  env.addGlobal('MISSING', MISSING);
  return env;
}
