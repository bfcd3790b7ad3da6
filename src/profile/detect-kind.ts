/**
 * Recognises a log by its first bytes, so `hpcbench profile a.csv b.jsonl` needs no flags.
 * Only the head of the file is read.
 */
import { readFileHead } from './lines.js';
import { looksLikeSacctOutput } from './accounting/sacct-read.js';
import { sniffLogContent } from './log-content-sniff.js';
import { sniffGpuLogFile } from './gpu/log-sniff.js';

export type LogKind =
  | 'nvidia-smi'
  | 'dmon'
  | 'compute-apps'
  | 'inference'
  | 'training'
  | 'sacct'
  | 'metadata'
  | 'process'
  /** checkpoints.jsonl: the job script's record of the signals it handled. */
  | 'checkpoints'
  /** exit.json: how the job script ended (exit code, restart count, stop reason). */
  | 'exit'
  | 'unknown';

const NVIDIA_QUERY_HEADER = /^(timestamp|index|uuid|pci\.bus_id|name|utilization\.gpu|memory\.used|power\.draw)\b[^\n]*,/;
const NVIDIA_TIMESTAMP_ROW = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\s*,/;
const NVIDIA_ERROR = /^(Field "[^"]*" is not a valid field to query|NVIDIA-SMI has failed|No devices were found)/;
// sacct rows are split by '|' (--parsable2) or the unit separator hpcbench asks for.
// eslint-disable-next-line no-control-regex -- the unit separator is the delimiter itself
const SACCT_HEADER = /^JobID[|\u001f]/;
// eslint-disable-next-line no-control-regex -- as above
const SACCT_ROW = /^\d+(_\d+|_\[[^\]]*\])?(\.\w+)?[|\u001f]/;
const TRAINER_LINE = /\{'(loss|train_runtime|eval_loss)':/;

function classifyJson(value: unknown): LogKind {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'unknown';
  const keys = new Set(Object.keys(value));
  const has = (...names: string[]) => names.some((n) => keys.has(n));
  if ((value as { schema?: unknown }).schema === 'hpcbench.checkpoint-event/1') return 'checkpoints';
  if (has('peakRssBytes', 'peakRssMiB')) return 'process';
  if (has('loss', 'learning_rate', 'train_runtime', 'eval_loss')) return 'training';
  if (has('latency_s', 'ttft_s', 'output_tokens', 'batch_size', 'start', 'end') || (value as { schema?: unknown }).schema === 'hpcbench.inference/1') return 'inference';
  if (has('duration', 'completed', 'ttfts', 'itls', 'request_throughput')) return 'inference';
  if (has('job_id', 'slurm', 'SLURM_JOB_ID', 'gpus', 'hostname')) return 'metadata';
  return 'unknown';
}

async function detectLogKindByHead(file: string): Promise<LogKind> {
  const head = await readFileHead(file, 16384);
  const firstLine = head.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  if (firstLine === '') return 'unknown';
  // The nvidia-smi table before the CSV, headerless rows, a BOM or UTF-16: read by content.
  const gpu = await sniffGpuLogFile(file);
  if (gpu !== null) return gpu;
  if (NVIDIA_ERROR.test(firstLine)) return 'nvidia-smi';
  if (/^#\s*(Date\s+Time\s+)?gpu\b/i.test(firstLine)) return 'dmon';
  if (/\bpid\b/.test(firstLine) && /used_(gpu_)?memory/.test(firstLine)) return 'compute-apps';
  if (NVIDIA_QUERY_HEADER.test(firstLine) || NVIDIA_TIMESTAMP_ROW.test(firstLine)) return 'nvidia-smi';
  // Any saved shape: a -P/-p header in any order, a fixed-width table over its dash line, --json.
  if (SACCT_HEADER.test(firstLine) || SACCT_ROW.test(firstLine) || looksLikeSacctOutput(head)) return 'sacct';
  if (TRAINER_LINE.test(head)) return 'training';
  if (firstLine.startsWith('{')) {
    try {
      return classifyJson(JSON.parse(firstLine));
    } catch {
      // A pretty-printed document: parse the whole head when it is complete.
      try {
        return classifyJson(JSON.parse(head));
      } catch {
        return head.includes('"duration"') && head.includes('"completed"') ? 'inference' : 'unknown';
      }
    }
  }
  return 'unknown';
}

/** The kind of a log: by its head first, then by its content (see log-content-sniff.ts). */
export async function detectLogKind(file: string): Promise<LogKind> {
  const kind = await detectLogKindByHead(file);
  if (kind !== 'unknown') return kind;
  return (await sniffLogContent(file, await readFileHead(file, 16384), classifyJson)) ?? 'unknown';
}
