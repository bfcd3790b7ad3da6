/**
 * What every run command starts with: where results live, which run is meant, and a transport
 * to the run's cluster built from the copy of the cluster settings kept in run.json (so
 * status/watch/fetch/cancel work even if hpcbench.yaml changed or is absent).
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { findConfigFile } from '../config/index.js';
import type { Transport } from '../transport/transport.js';
import { connectCluster, type ConnectClusterOptions } from './connect.js';
import { readRunRecord, resolveRunId } from './registry.js';
import type { RunRecord } from './run-record.js';

/** `--results`, else results/ next to hpcbench.yaml (as render writes it), else ./results. */
export function resolveResultsDir(explicit: string | undefined, configOption: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  const config = configOption !== undefined ? resolve(cwd, configOption) : findConfigFile(cwd);
  if (config !== undefined && existsSync(config)) return join(dirname(config), 'results');
  return resolve(cwd, 'results');
}

export interface OpenedRun {
  resultsDir: string;
  runId: string;
  record: RunRecord;
  transport: Transport;
}

export async function openRun(resultsDir: string, wanted: string | undefined, options: ConnectClusterOptions = {}): Promise<OpenedRun> {
  const runId = await resolveRunId(resultsDir, wanted);
  const record = await readRunRecord(resultsDir, runId);
  const transport = connectCluster(record.cluster, options);
  return { resultsDir, runId, record, transport };
}
