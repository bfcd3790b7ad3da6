/**
 * The profiler's warnings as codes and values, with their English wording. The profiler writes
 * the English sentence into metrics.json `warnings` from this text (old readers, the `profile`
 * command's output) and the code beside it; reports word the code in their own language
 * (en.ts takes this table as it is, so the two English texts cannot drift apart).
 * This module imports nothing: the profiler depends on it, never the other way round.
 */

const SUMMARY_ONLY = "this {tool} result holds only its summary (no per-request records): the figures are {tool}'s own, not recomputed; no confidence intervals, goodput or warm-up exclusion";
const UNITS_CONVERTED = "latencies converted from the file's units to seconds";

export const PROFILE_WARNINGS_EN = {
  // Document level.
  'rejected-lines': '{count} log line(s) were rejected; see sources[].rejected (or rerun with --strict to fail on them)',
  'checkpoint-lines-skipped': 'skipped {count} line(s) of {file} (a job killed while writing leaves a truncated line); first at line {line}: {reason}',
  'nothing-profiled': 'no task output found: nothing was profiled',
  // GPU logs.
  'dmon-not-used': 'dmon logs not used because --query-gpu logs cover the same GPUs: {files}',
  'gpu-last-line-truncated': '{file}:{line}: last line has no line end (the logger was probably killed mid-write); dropped',
  'gpu-logger-restarted': '{file}: the logger restarted {restarts} time(s) (repeated header); no interval is integrated across a restart',
  'gpu-key-not-unique': '{file}: rows sharing a timestamp have the same value in column "{key}", so it does not identify the GPU; GPUs are told apart by column "{column}"',
  'gpu-no-key-column': '{file}: rows sharing a timestamp have the same value in no GPU id column, so it does not identify the GPU; GPUs are told apart by column "{column}"',
  'gpu-subsecond-sampling':
    '{file}: {count} row(s) share a whole-second timestamp with another row of the same GPU (column "{key}"); read as faster-than-1-s sampling of one GPU. If several GPUs were logged, add index or uuid to --query-gpu',
  'gpu-subsecond-sampling-no-key':
    '{file}: {count} row(s) share a whole-second timestamp with another row of the same GPU (no GPU id column); read as faster-than-1-s sampling of one GPU. If several GPUs were logged, add index or uuid to --query-gpu',
  'dmon-last-line-truncated': '{file}:{line}: last line has no line end (dmon was probably killed mid-write); dropped',
  'apps-last-line-truncated': '{file}:{line}: last line has no line end; dropped',
  'apps-no-header': '{file}: no header; read as {fields} from the shape of the rows',
  'gpu-sampling-gap':
    '{files}: GPU {gpu}: sampling gap of {seconds} s from {from} to {to}, typical interval {typical} s; the series is split there and energy and time-weighted means are not integrated across it',
  'gpu-sampling-gaps':
    '{files}: GPU {gpu}: sampling gap of {seconds} s from {from} to {to} (and {more} more), typical interval {typical} s; the series is split there and energy and time-weighted means are not integrated across it',
  'gpu-metric-mostly-missing': 'GPU {gpu}: {metric} is missing (N/A) on {missing} of {rows} rows; its figures rest on {kept} value(s)',
  // Inference logs.
  'bootstrap-iterations-reduced': 'the bootstrap intervals use {used} resamples instead of {default} for {records} records (each resample draws them all); their `iterations` says so',
  'output-tokens-partial': '{missing} of {completed} completed records give no output token count: token totals and rates cover the other {counted} only',
  'all-requests-failed': 'every request failed ({failed} of {requests}); no latency or throughput figure exists',
  'all-requests-failed-error': 'every request failed ({failed} of {requests}); no latency or throughput figure exists; most frequent error: {error}',
  'summary-only': SUMMARY_ONLY,
  'summary-only-units-converted': `${SUMMARY_ONLY}; ${UNITS_CONVERTED}`,
  'summary-only-units-converted-no-streaming': `${SUMMARY_ONLY}; ${UNITS_CONVERTED}; its time to first token equals its request latency (a non-streaming benchmark): TTFT here is the whole response time`,
  'summary-only-llmperf': `${SUMMARY_ONLY}; request throughput is llmperf's results_num_completed_requests_per_min / 60; its inter-token latency (per request, time after the first token / output tokens) is reported as TPOT`,
  'summary-no-request-count': 'the file does not say how many requests its figures cover: request counts and the error rate are unknown',
  'summary-failed-derived': 'the file has no failed count: {failed} failed request(s) = {sent} sent − {completed} completed',
  'summary-no-failed-count': 'the file gives no failed or sent count: failed requests are unknown and counted as 0',
  'summary-all-failed': "every request failed ({failed} of {requests}); the tool's latency figures of no request are not reported",
  'summary-warmup-ignored': 'warm-up exclusion was asked for, but a summary cannot be split: its figures include every request',
  'summary-no-token-totals': 'the file gives no token totals: they are unknown',
  // Training logs.
  'training-diverged': 'training diverged: loss is {loss} at step {step} (line {line}); finalLoss is null from there on',
  'training-diverged-entry': 'training diverged: loss is {loss} at log entry {entry} (line {line}; the log gives no step); finalLoss is null from there on',
  'training-no-step-numbers': 'the training log gives no step numbers: the loss curve is indexed by log entry (stepAxis "index")',
  'training-steps-estimated':
    "{count} step number(s) estimated as epoch × steps per epoch from the Trainer's banner; epochs are printed to 2 decimals, so a step may be off by a few",
} as const;

export type ProfileWarningCode = keyof typeof PROFILE_WARNINGS_EN;

/** Every code the profiler can emit (the contract and the catalogue tests enumerate them). */
export const PROFILE_WARNING_CODES = Object.keys(PROFILE_WARNINGS_EN) as [ProfileWarningCode, ...ProfileWarningCode[]];

/**
 * One warning: its code and the values its wording quotes (numbers, file names, text from a
 * log). `task` ("experiment/task") is set on the document-level copy of a task's warning.
 */
export interface ProfileWarning {
  code: ProfileWarningCode;
  values: Record<string, string | number>;
  task?: string;
}

/** Fills `{name}` placeholders from `values`, leaving unknown ones as they are. */
function fillWarningText(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The English sentence metrics.json `warnings` holds for a warning (numbers as JavaScript prints them). */
export function describeProfileWarningEn(warning: ProfileWarning): string {
  const values = Object.fromEntries(Object.entries(warning.values).map(([k, v]) => [k, String(v)]));
  const text = fillWarningText(PROFILE_WARNINGS_EN[warning.code], values);
  return warning.task === undefined ? text : `${warning.task}: ${text}`;
}

/** Where the profiler keeps a section's warnings: the English sentences and, parallel to them, the codes. */
export interface WarningSink {
  warnings: string[];
  warningCodes: ProfileWarning[];
}

/** Adds one warning to a section, in both forms. */
export function addProfileWarning(sink: WarningSink, code: ProfileWarningCode, values: ProfileWarning['values'] = {}): void {
  const warning: ProfileWarning = { code, values };
  sink.warnings.push(describeProfileWarningEn(warning));
  sink.warningCodes.push(warning);
}
