// run.json read back through its contract: run_id valid and equal to its directory, job ids
// digits, and `hpcbench runs` listing the readable runs beside the broken ones.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { isValidRunId } from '../../../src/contracts/run-id.js';
import { createRunId } from '../../../src/render/manifest.js';
import { InputError, UsageError } from '../../../src/errors.js';
import { listRuns, readRunRecord } from '../../../src/runs/index.js';
import { createRunRecord, parseRunRecord } from '../../../src/runs/run-record.js';
import { runDirectory, writeRunRecord } from '../../../src/runs/registry.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

const GOOD = '20261124-060000-a-0001';

function recordFor(runId: string) {
  const { manifest } = makeRenderedRun([{ experiment: 'a' }], runId);
  return createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
}

function captureOutput(): { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

function rewrite(file: string, change: (doc: Record<string, unknown>) => void): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(doc);
  writeFileSync(file, JSON.stringify(doc));
}

describe('run.json contract', () => {
  it('names the field, what was expected and what was found', () => {
    const bad = JSON.parse(JSON.stringify(recordFor(GOOD))) as { jobs: Record<string, unknown>[] };
    (bad.jobs[0] as Record<string, unknown>).job_id = null;
    expect(() => parseRunRecord(JSON.stringify(bad), 'results/r1/run.json')).toThrow(
      new InputError('jobs[0].job_id: expected a string of digits (a SLURM job id), got null', { file: 'results/r1/run.json' }).message,
    );
    (bad.jobs[0] as Record<string, unknown>).job_id = '12; rm -rf ~';
    expect(() => parseRunRecord(JSON.stringify(bad), 'run.json')).toThrow(/jobs\[0\]\.job_id: expected a string of digits/);
  });

  it('names the line and column where truncated or broken JSON stops', () => {
    const text = JSON.stringify(recordFor(GOOD), null, 2);
    const cut = text.slice(0, 200);
    const line = cut.split('\n').length;
    expect(() => parseRunRecord(cut, 'run.json')).toThrow(new RegExp(`run.json: not valid JSON at line ${line} column \\d+ \\(character 200\\): the text ends early`));
    expect(() => parseRunRecord('{\n  "a": 1,\n}', 'run.json')).toThrow(/run.json: not valid JSON at line 3 column 1 \(character 12\)/);
    expect(() => parseRunRecord('', 'run.json')).toThrow(/run.json: the file is empty/);
    expect(() => parseRunRecord('['.repeat(5000), 'run.json')).toThrow(/nested deeper than 64 levels at line 1 column 65/);
  });

  it('refuses a run_id that could name a path', () => {
    for (const id of ['../../x', '/etc', '.hidden', '..', 'a/b', 'a\u0000b', 'x'.repeat(129)]) {
      const doc = { ...recordFor(GOOD), run_id: id };
      expect(() => parseRunRecord(JSON.stringify(doc), 'run.json'), id).toThrow(/run_id: expected a run id \(a letter or digit, then letters, digits/);
    }
    expect(() => runDirectory('results', '../../x')).toThrow(UsageError);
  });

  it('refuses a run.json whose run_id is not its directory name, naming both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-contract-'));
    await writeRunRecord(dir, recordFor(GOOD));
    // A copy of the run directory would otherwise update the original's run.json.
    cpSync(join(dir, GOOD), join(dir, 'copy-of-run'), { recursive: true });
    await expect(readRunRecord(dir, 'copy-of-run')).rejects.toThrow(
      `${join(dir, 'copy-of-run', 'run.json')}: run_id: expected "copy-of-run" (the name of its directory), got "${GOOD}"`,
    );
    expect(JSON.parse(readFileSync(join(dir, GOOD, 'run.json'), 'utf8'))).toMatchObject({ run_id: GOOD });
  });

  it('writes through the one write helper: a link planted at run.json is refused, its target untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-contract-'));
    const record = recordFor(GOOD);
    await writeRunRecord(dir, record);
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'precious\n');
    rmSync(join(dir, GOOD, 'run.json'));
    symlinkSync(target, join(dir, GOOD, 'run.json'));
    await expect(writeRunRecord(dir, record)).rejects.toThrow(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('never writes a record its readers would refuse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-contract-'));
    const record = recordFor(GOOD);
    (record.jobs[0] as { job_id?: string }).job_id = '12 && reboot';
    await expect(writeRunRecord(dir, record)).rejects.toThrow(/jobs\[0\]\.job_id: expected a string of digits/);
    expect(existsSync(join(dir, GOOD, 'run.json'))).toBe(false);
  });

  it('accepts the ids that render generates', async () => {
    // The longest experiment name the config allows (64) still gives a valid id.
    for (const name of ['a', 'lora_r8.v2', 'x'.repeat(64)]) expect(isValidRunId(createRunId(name, new Date('2026-11-24T06:00:00Z'))), name).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-contract-'));
    const { manifest } = makeRenderedRun([{ experiment: 'lora_r8.v2' }], createRunId('lora_r8.v2'));
    await writeRunRecord(dir, createRunRecord(manifest, CLUSTER, new Date()));
    expect((await readRunRecord(dir, manifest.run_id)).run_id).toBe(manifest.run_id);
  });
});

describe('hpcbench runs with broken runs', () => {
  async function resultsWithBrokenRuns(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-runs-'));
    for (const id of [GOOD, '20261124-070000-a-0002', '20261124-080000-a-0003', '20261124-090000-a-0004']) await writeRunRecord(dir, recordFor(id));
    writeFileSync(join(dir, '20261124-070000-a-0002', 'run.json'), '{"schema": "hpcbench.run/1", "run_');
    rewrite(join(dir, '20261124-080000-a-0003', 'run.json'), (doc) => {
      doc.run_id = '../../x';
    });
    mkdirSync(join(dir, 'copied'));
    cpSync(join(dir, GOOD, 'run.json'), join(dir, 'copied', 'run.json'));
    return dir;
  }

  it('lists every run directory, the broken ones with the reason', async () => {
    const dir = await resultsWithBrokenRuns();
    const listings = await listRuns(dir);
    expect(listings.map((l) => [l.run_id, l.record === undefined ? 'broken' : 'ok'])).toEqual([
      [GOOD, 'ok'],
      ['20261124-070000-a-0002', 'broken'],
      ['20261124-080000-a-0003', 'broken'],
      ['20261124-090000-a-0004', 'ok'],
      ['copied', 'broken'],
    ]);
    expect(listings[1]?.error).toMatch(/run.json: not valid JSON at line 1 column 35 .*ends early/);
    expect(listings[2]?.error).toMatch(/run_id: expected a run id/);
    expect(listings[4]?.error).toMatch(/run_id: expected "copied" \(the name of its directory\), got "20261124-060000-a-0001"/);
  });

  it('prints the table of readable runs, a BROKEN line per broken run, and exits 0', async () => {
    const dir = await resultsWithBrokenRuns();
    const io = captureOutput();
    expect(await main(['runs', '--results', dir])).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+CLUSTER\s+PHASE/);
    expect(lines.filter((l) => l.startsWith('20261124-'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('BROKEN '))).toEqual([
      expect.stringMatching(/^BROKEN 20261124-070000-a-0002: .*not valid JSON/),
      expect.stringMatching(/^BROKEN 20261124-080000-a-0003: .*run_id: expected a run id/),
      expect.stringMatching(/^BROKEN copied: .*run_id: expected "copied"/),
    ]);
    expect(io.err()).toMatch(/3 run\(s\) could not be read/);
  });

  it('--json includes broken runs with an error field', async () => {
    const dir = await resultsWithBrokenRuns();
    const io = captureOutput();
    expect(await main(['runs', '--json', '--results', dir])).toBe(0);
    const listed = JSON.parse(io.out()) as { run_id: string; error?: string; phase?: string }[];
    expect(listed).toHaveLength(5);
    expect(listed.filter((l) => l.error === undefined).map((l) => l.phase)).toEqual(['rendered', 'rendered']);
    expect(listed.find((l) => l.run_id === 'copied')?.error).toMatch(/run_id: expected "copied"/);
  });
});
