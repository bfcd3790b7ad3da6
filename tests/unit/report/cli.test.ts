import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { inferenceRun } from './fixture-doc.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-report-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function writeRun(name: string, doc: unknown): string {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(doc));
  return dir;
}

describe('hpcbench report', () => {
  const run = join(temp, 'run-example');
  beforeAll(async () => {
    cpSync('data_sample/run-example', run, { recursive: true });
    const profiled = await runCli(['profile', run, '--quiet']);
    expect(profiled.stderr).toBe('');
    expect(profiled.code).toBe(0);
  }, 60_000);

  it('writes the chosen formats and languages, and takes the SLO and references from the run’s config', async () => {
    const out = join(temp, 'out');
    const result = await runCli(['report', run, '--out', out, '--format', 'md,csv', '--lang', 'en,pt-BR']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['metrics.csv', 'report.md', 'report.pt-BR.md']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('the best configuration under the p95 latency SLO of 2,000 ms is task 4 (');
    expect(md).toMatch(/\| infer \| 5 \| `latency_p95_s` \| 2 \| 5 % \| lower \| 3\.95 \| \+97\.7 % \| FAIL \|/);
    expect(readFileSync(join(out, 'report.pt-BR.md'), 'utf8')).toContain('sob o SLO de latência p95 de 2.000 ms');
  }, 60_000);

  it('--slo-ms overrides the config, and the default output folder is <run>/report', async () => {
    const result = await runCli(['report', run, '--format', 'md', '--slo-ms', '600']);
    expect(result.code).toBe(0);
    expect(readFileSync(join(run, 'report', 'report.md'), 'utf8')).toContain('SLO of 600 ms is task 2 (');
  }, 60_000);

  it('several runs into one --out: a folder per run and one CSV of all of them', async () => {
    const second = join(temp, 'second');
    cpSync(run, second, { recursive: true });
    const out = join(temp, 'many');
    const result = await runCli(['report', run, second, '--out', out, '--format', 'csv,json']);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['metrics.csv', 'run-example', 'second']);
    expect(readdirSync(join(out, 'second')).sort()).toEqual(['metrics.csv', 'report.json']);
    const rows = (file: string): number => readFileSync(file, 'utf8').trimEnd().split('\n').length - 1;
    expect(rows(join(out, 'metrics.csv'))).toBe(2 * rows(join(out, 'second', 'metrics.csv')));
  }, 60_000);

  it('a run whose config copy no longer loads: a warning, and the report without SLO or references', async () => {
    const broken = join(temp, 'broken-config');
    cpSync(run, broken, { recursive: true });
    writeFileSync(join(broken, 'hpcbench.yaml'), 'clusters: [not, a, map]\n');
    const result = await runCli(['report', broken, '--format', 'md']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: .*hpcbench\.yaml could not be read, so the report has no SLO or references from it: /);
    expect(readFileSync(join(broken, 'report', 'report.md'), 'utf8')).toContain('No references configured');
  }, 60_000);

  it('a run that was not profiled: exit 2 and what to run', async () => {
    const dir = join(temp, 'unprofiled');
    mkdirSync(dir);
    const result = await runCli(['report', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no metrics.json in this run directory: the run has not been profiled');
    expect(result.stderr).toContain('hint: run `hpcbench profile <run-id>` first');
    expect(existsSync(join(dir, 'report'))).toBe(false);
  });

  it('a metrics.json file from `profile <files> --out`: reported next to it', async () => {
    const dir = writeRun('loose', inferenceRun('loose', 'files', 1, 4));
    const result = await runCli(['report', join(dir, 'metrics.json'), '--format', 'md', '--lang', 'pt-BR']);
    expect(result.code).toBe(0);
    const md = readFileSync(join(dir, 'report', 'report.pt-BR.md'), 'utf8');
    expect(md).toContain('| files | main | 400 | 0 |');
    expect(md).toContain('- manifest.json (a execução não foi gerada pelo hpcbench, ou o arquivo não foi copiado)');
  });

  it('an unknown format: exit 2 naming the accepted ones', async () => {
    const result = await runCli(['report', run, '--format', 'md,pdf']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown report format 'pdf'; expected a comma-separated list of md, csv, json, html");
  });
});

describe('hpcbench compare', () => {
  const base = writeRun('base', inferenceRun('base', 'infer', 1, 1));
  const slow = writeRun('slow', inferenceRun('slow', 'infer', 1.3, 2));
  const other = writeRun('other', inferenceRun('other', 'lora', 1, 3));

  it('prints per-metric changes and exits 1 on --fail-on-regression', async () => {
    const ok = await runCli(['compare', base, slow, '--iterations', '200']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/\| infer\/main \| `latency_p95_s` \| .* \| \+\d\d\.\d % \| \[\+\d\d\.\d %, \+\d\d\.\d %\] \| REGRESSED \|/);
    const failed = await runCli(['compare', base, slow, '--iterations', '200', '--fail-on-regression', '10']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/metric\(s\) regressed by 10 % or more: infer\/main latency_mean_s \+\d\d\.\d %/);
    const loose = await runCli(['compare', base, slow, '--iterations', '200', '--fail-on-regression', '80']);
    expect(loose.code).toBe(0);
  });

  it('--json gives the comparison object; metrics.json files are accepted as runs', async () => {
    const result = await runCli(['compare', join(base, 'metrics.json'), base, '--iterations', '100', '--json']);
    const parsed = JSON.parse(result.stdout) as { metrics: { verdict: string }[] };
    expect(parsed.metrics.length).toBeGreaterThan(5);
    expect(parsed.metrics.every((m) => m.verdict === 'within-noise')).toBe(true);
  });

  it('runs of different experiments: exit 2 with a clear message, unless --force', async () => {
    const refused = await runCli(['compare', base, other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the runs measure different experiments: baseline base has infer, candidate other has lora');
    expect(refused.stderr).toContain('--force');
    const forced = await runCli(['compare', base, other, '--force', '--iterations', '100']);
    expect(forced.code).toBe(0);
  });
});
