// Sweep values in commands (issue 12, point 1) on the real test cluster: a command written with
// flags, `--batch_size {batch_size}`, is submitted as one array job through the CLI, and every
// task runs its own command line — values with spaces and quotes arrive as one argument each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetchRun, readRunRecord, resolveRunId } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, writeTestProject, type TestProject } from './submit-helpers.js';

const COMMAND = `echo --batch_size {batch_size} > "$HPCBENCH_OUT_DIR/args.txt"; printf '[%s]\\n' {note} "$HPCBENCH_PARAM_NOTE" "$note" >> "$HPCBENCH_OUT_DIR/args.txt"`;
const BATCH_SIZES = [1, 4, 16];
const NOTES = ['two words', `it's "quoted"`];

describeCluster('sweep placeholders in commands on the test cluster', (cluster) => {
  let project: TestProject;
  let transport: Transport;

  beforeAll(() => {
    project = openProject(writeTestProject(cluster, { infer: { command: COMMAND, sweep: { batch_size: BATCH_SIZES, note: NOTES } } }));
    transport = connectProject(project);
  });

  afterAll(async () => {
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('config check passes without warnings, and each array task runs the command with its own values', async () => {
    const check = await cli(['config', 'check', '--config', project.config]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toMatch(/never reads it|placeholder/);

    const submitted = await cli(['submit', 'infer', '--config', project.config, '--results', project.resultsDir]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = await resolveRunId(project.resultsDir, submitted.stdout.trim());
    const watched = await cli(['watch', runId, '--config', project.config, '--results', project.resultsDir]);
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);

    const record = await readRunRecord(project.resultsDir, runId);
    const job = record.jobs[0];
    expect(job?.array?.size).toBe(BATCH_SIZES.length * NOTES.length);
    expect(job?.attempts).toHaveLength(1);
    await fetchRun({ transport, record, runDir: join(project.resultsDir, runId) });
    let task = 0;
    for (const batchSize of BATCH_SIZES) {
      for (const note of NOTES) {
        const args = readFileSync(join(project.resultsDir, runId, 'out', 'infer', String(task), 'args.txt'), 'utf8');
        expect(args).toBe(`--batch_size ${batchSize}\n[${note}]\n[${note}]\n[${note}]\n`);
        task += 1;
      }
    }
  });
});
