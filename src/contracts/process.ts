/**
 * process.json: what `run --local` sampled of a job's process tree (src/profile/process-sampler.ts
 * writes it). Profile reads the summary fields at the top level and keeps the rest (the series)
 * as written.
 */
import * as z from 'zod';
import type { ProcessUsageSummary } from '../profile/process-sampler.js';
import { readJsonText, parseJsonText, validateDocument, type ContractInfo } from './json-file.js';

const summarySchema = z.looseObject({
  n: z.number().int().nonnegative(),
  mean: z.number().nullable(),
  max: z.number().nullable(),
});

export const processSchema = z.looseObject({
  samples: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  cpuPercent: summarySchema,
  meanCpuPercent: z.number().nullable(),
  maxCpuPercent: z.number().nullable(),
  peakRssBytes: z.number().nonnegative(),
  peakRssMiB: z.number().nonnegative(),
  processesSeen: z.number().int().nonnegative(),
});

const PROCESS_INFO: ContractInfo = {
  expected: 'process samples as `hpcbench run --local` writes them',
  fix: 'run the job again with `hpcbench run --local`, or remove the file to profile without it',
};

/** process.json checked against its contract; the object as written (the series stay in their order). */
export function readProcessDocument(file: string): ProcessUsageSummary {
  const value = parseJsonText(readJsonText(file, PROCESS_INFO), file, PROCESS_INFO);
  validateDocument(processSchema, value, file, PROCESS_INFO);
  return value as ProcessUsageSummary;
}
