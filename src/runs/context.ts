/**
 * What every run command starts with: where results live, which run is meant, and a transport
 * to the run's cluster built from the copy of the cluster settings kept in run.json (so
 * status/watch/fetch/cancel work even if hpcbench.yaml changed or is absent).
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { findConfigFile, loadConfigText } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { connectCluster, type ConnectClusterOptions } from './connect.js';
import { readRunRecord, resolveRunId } from './registry.js';
import { resolveRecordPaths } from './remote-paths.js';
import type { RunRecord } from './run-record.js';

/**
 * `--results`, else results/ in the config's project directory (its `root:`, else its folder),
 * as render and run --local write them, else ./results. The one place that decides it.
 */
export function resolveResultsDir(explicit: string | undefined, configOption: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  const config = configOption !== undefined ? resolve(cwd, configOption) : findConfigFile(cwd);
  if (config === undefined || !existsSync(config)) return resolve(cwd, 'results');
  // Only `root:` moves the project away from the config's folder, and a refused or unreadable
  // config counts as having none: a file that cannot name it is not parsed (status runs in loops,
  // and parsing the config cost it more CPU than reading run.json). YAML could spell the key
  // without the word only through an escape in a quoted key, hence the backslash.
  const text = readTextOrUndefined(config);
  if (text === undefined || !(text.includes('root') || text.includes('\\'))) return join(dirname(config), 'results');
  try {
    return join(loadConfigText(text, config, dirname(config)).root, 'results');
  } catch {
    // A config that no longer loads must not stop status, fetch or cancel of existing runs.
    return join(dirname(config), 'results');
  }
}

function readTextOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
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
  if (record.local === true) {
    throw new UsageError(
      `run ${runId} ran on this machine (run --local, ${record.phase}): there are no SLURM jobs to follow, fetch or cancel`,
      `Its results are already in ${join(resultsDir, runId)}: use \`hpcbench profile ${runId}\` and \`hpcbench report ${runId}\`.`,
    );
  }
  const transport = connectCluster(record.cluster, options);
  try {
    await resolveRecordPaths(transport, record);
  } catch (error) {
    await transport.close();
    throw error;
  }
  return { resultsDir, runId, record, transport };
}
