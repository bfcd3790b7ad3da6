// Every command that changes a run refuses, with exit 2 and the holder named, while another
// process holds the run's lock, and before it connects, renders into or runs anything.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock, type RunLock } from '../../../src/runs/lock.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { CLUSTER, makeRenderedRun } from '../runs/helpers.js';
import { localConfigText } from '../support/local-config.js';
import { runCli } from './run-cli.js';

const held: RunLock[] = [];
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
});

function holdLock(runDir: string, command: string): RunLock {
  const lock = acquireRunLock(runDir, { command, handleSignals: false, now: () => new Date('2026-12-01T12:00:00Z') });
  held.push(lock);
  return lock;
}

function busyMessage(runId: string, command: string): string {
  return `run ${runId} is being changed by pid ${process.pid} on host ${hostname()} (${command}, since 2026-12-01T12:00:00.000Z)`;
}

describe('a locked run', () => {
  it('cancel, fetch and submit --resume exit 2 naming the holder, and do not touch the run', async () => {
    const { resultsDir, runDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitting';
    await writeRunRecord(resultsDir, record);
    holdLock(runDir, 'hpcbench submit');
    const before = readdirSync(runDir).sort();
    for (const args of [['cancel', 'latest'], ['fetch'], ['submit', '--resume', manifest.run_id.slice(0, 12)]]) {
      const result = await runCli([...args, '--results', resultsDir]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(busyMessage(manifest.run_id, 'hpcbench submit'));
      expect(result.stderr).toContain(`remove ${join(runDir, '.lock')}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(runDir).sort()).toEqual(before);
  });

  it('submit of a run id being submitted exits 2 before writing its scripts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-lock-submit-'));
    const config = join(dir, 'hpcbench.yaml');
    writeFileSync(config, localConfigText("  hello:\n    partition: local\n    command: 'echo hi'"));
    const runId = '20261201-120000-hello-0001';
    const runDir = join(dir, 'results', runId);
    holdLock(runDir, 'hpcbench submit');
    const result = await runCli(['submit', 'hello', '--run-id', runId, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(busyMessage(runId, 'hpcbench submit'));
    expect(readdirSync(runDir)).toEqual(['.lock']);
  });

  it('render --force over a run being submitted exits 2 and leaves its scripts as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-lock-render-'));
    const config = join(dir, 'hpcbench.yaml');
    writeFileSync(config, localConfigText("  hello:\n    partition: local\n    command: 'echo hi'"));
    const runId = '20261201-120000-hello-0004';
    const rendered = await runCli(['render', 'hello', '--run-id', runId, '--config', config, '--quiet']);
    expect(rendered.code, rendered.stderr).toBe(0);
    const runDir = join(dir, 'results', runId);
    const script = join(runDir, 'scripts', 'hello.sbatch');
    writeFileSync(script, '#!/bin/bash\necho being uploaded\n');
    holdLock(runDir, 'hpcbench submit');
    const result = await runCli(['render', 'hello', '--run-id', runId, '--config', config, '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(busyMessage(runId, 'hpcbench submit'));
    expect(readFileSync(script, 'utf8')).toBe('#!/bin/bash\necho being uploaded\n');
  });

  it('run --local of a run id being run exits 2 and runs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-lock-local-'));
    const config = join(dir, 'hpcbench.yaml');
    const marker = join(dir, 'ran');
    writeFileSync(config, localConfigText(`  hello:\n    partition: local\n    command: 'touch ${marker}'`));
    const runId = '20261201-120000-hello-0002';
    const runDir = join(dir, 'results', runId);
    holdLock(runDir, 'hpcbench run --local');
    const result = await runCli(['run', 'hello', '--local', '--run-id', runId, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(busyMessage(runId, 'hpcbench run --local'));
    expect(existsSync(marker)).toBe(false);
    expect(readdirSync(runDir)).toEqual(['.lock']);
  });

  it('run --local releases its lock when it ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-lock-local-'));
    const config = join(dir, 'hpcbench.yaml');
    writeFileSync(config, localConfigText("  hello:\n    partition: local\n    command: 'echo hi'"));
    const runId = '20261201-120000-hello-0003';
    const result = await runCli(['run', 'hello', '--local', '--run-id', runId, '--config', config, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'results', runId, 'run.json'))).toBe(true);
    expect(existsSync(join(dir, 'results', runId, '.lock'))).toBe(false);
  }, 60_000);
});
