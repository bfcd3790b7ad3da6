// Every real nvidia-smi capture in tests/fixtures/real/nvidia-smi-{query,dmon,apps}/ read the way a
// user reads it (`hpcbench profile <file>`: detection by content, then the parser), against the
// figures numpy computed for it (scripts/real-corpus/reference.py → references.json). A figure
// the reference has as null must be null here too; the refused files must be refused with a
// message that says why.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFiles, profileRun } from '../../../../src/profile/profile-run.js';
import type { GpuDeviceMetrics, MetricDistribution } from '../../../../src/profile/gpu/metrics.js';
import { InputError } from '../../../../src/errors.js';
import { summarizeNvidiaSmiLogs } from '../../../../src/profile/gpu/nvidia-smi.js';

const ROOT = join(__dirname, '../../../fixtures/real');

interface RefStats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}
interface RefQueryGpu {
  samples: number;
  utilization_gpu_pct: RefStats | null;
  memory_used_mib: RefStats | null;
  power_draw_w: RefStats | null;
  utilization_gpu_pct_na?: number;
  memory_used_mib_na?: number;
  power_draw_w_na?: number;
  /** N/A cells per column, summarised or not (`temperature.memory`). */
  na_values_by_column?: Record<string, number>;
}
interface RefDmonGpu {
  samples: number;
  dash_values_by_column: Record<string, number>;
  mean_sm: number | null;
  mean_mem: number | null;
  mean_pwr?: number | null;
}
interface RefFile {
  kind: string;
  gpus: Record<string, RefQueryGpu | RefDmonGpu | { processes: number; used_memory_mib_total: number }>;
  header?: string[] | null;
  header_in_file?: boolean;
  keyed_by?: string;
  rows?: number;
  process_rows?: number;
  pids_on_several_gpus?: string[];
}
const references = JSON.parse(readFileSync(join(ROOT, 'references.json'), 'utf8')) as { files: Record<string, RefFile> };

/** The files hpcbench must refuse, and what the message must say. */
const REFUSED: Record<string, RegExp> = {
  'nvidia-smi-query/h100x2-table-only-no-csv.log': /human-readable `nvidia-smi` table.*not --query-gpu CSV output/,
  'nvidia-smi-query/invalid-field-error.txt': /nvidia-smi refused the query: field "bogus\.field" is not a valid field to query/,
};

const REL = 1e-9;
function close(actual: number | null | undefined, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(actual, what).not.toBeUndefined();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(REL * Math.max(1, Math.abs(expected)));
}

function checkStats(actual: MetricDistribution | null, expected: RefStats | null, what: string): void {
  if (expected === null) {
    expect(actual, `${what} is absent from the file`).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const a = actual as MetricDistribution;
  expect(a.samples, `${what} samples`).toBe(expected.n);
  close(a.mean, expected.mean, `${what} mean`);
  close(a.p50, expected.p50, `${what} p50`);
  close(a.p95, expected.p95, `${what} p95`);
  close(a.max, expected.max, `${what} max`);
}

function findGpu(gpus: readonly GpuDeviceMetrics[], key: string, file: RefFile): GpuDeviceMetrics {
  const found = gpus.find((g) => g.uuid === key || g.id === key || g.index === key) ?? (file.keyed_by?.startsWith('(single GPU') && gpus.length === 1 ? gpus[0] : undefined);
  if (found === undefined) throw new Error(`no GPU ${key} among ${gpus.map((g) => g.id).join(', ')}`);
  return found;
}

function missingCount(gpu: GpuDeviceMetrics, metric: string): number {
  const reasons = (gpu.missing as Record<string, Record<string, number>> | undefined)?.[metric] ?? {};
  return Object.values(reasons).reduce((a, b) => a + b, 0);
}

function filesOf(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => !f.endsWith('.md'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Headerless captures: the field list the user gives with --gpu-fields (the reference's header). */
function optionsFor(name: string): { gpuFields?: string[] } {
  const ref = references.files[name];
  return ref?.header_in_file === false && ref.header ? { gpuFields: ref.header } : {};
}

describe('real nvidia-smi --query-gpu captures', () => {
  const files = filesOf('nvidia-smi-query');
  it('covers every file of the corpus', () => {
    expect(files.length).toBe(13);
    for (const f of files) expect(references.files[f], f).toBeDefined();
  });

  for (const name of files) {
    const ref = references.files[name] as RefFile;
    const refusal = REFUSED[name];
    if (refusal !== undefined) {
      it(`refuses ${name} with a message that says why`, async () => {
        const error = await profileFiles([join(ROOT, name)]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toMatch(refusal);
        expect((error as InputError).file).toBe(join(ROOT, name));
      });
      continue;
    }
    it(`reads ${name}: every per-GPU figure of the reference`, async () => {
      const doc = await profileFiles([join(ROOT, name)], optionsFor(name));
      const gpu = doc.tasks[0]?.gpu;
      expect(gpu, 'gpu section').toBeDefined();
      const gpus = gpu?.gpus ?? [];
      expect(gpus.length, 'GPU count').toBe(Object.keys(ref.gpus).length);
      for (const [key, value] of Object.entries(ref.gpus)) {
        const r = value as RefQueryGpu;
        const g = findGpu(gpus, key, ref);
        expect(g.samples, `${key} samples`).toBe(r.samples);
        checkStats(g.utilization, r.utilization_gpu_pct, `${key} utilization.gpu`);
        checkStats(g.memoryUsedMiB, r.memory_used_mib, `${key} memory.used`);
        checkStats(g.powerW, r.power_draw_w, `${key} power.draw`);
        if (r.utilization_gpu_pct_na !== undefined) expect(missingCount(g, 'utilization.gpu'), `${key} utilization N/A`).toBe(r.utilization_gpu_pct_na);
        if (r.memory_used_mib_na !== undefined) expect(missingCount(g, 'memory.used'), `${key} memory N/A`).toBe(r.memory_used_mib_na);
        if (r.power_draw_w_na !== undefined) expect(missingCount(g, 'power.draw'), `${key} power N/A`).toBe(r.power_draw_w_na);
        for (const [column, count] of Object.entries(r.na_values_by_column ?? {})) expect(missingCount(g, column), `${key} ${column} N/A`).toBe(count);
        // Nothing is missing that the reference does not count.
        for (const column of Object.keys(g.missing)) expect(r.na_values_by_column?.[column] ?? 0, `${key} ${column}`).toBe(missingCount(g, column));
      }
    });
  }

  it('skips the nvidia-smi table before the CSV with a counted reason per line', async () => {
    const name = 'nvidia-smi-query/v100-table-banner-then-csv.csv';
    const doc = await profileFiles([join(ROOT, name)]);
    const rejected = doc.tasks[0]?.gpu?.rejected;
    expect(rejected?.count).toBe(19);
    expect(rejected?.examples[0]?.reason).toMatch(/human-readable table/);
  });

  it('tells the 8 GPUs of the h100x8 log apart by the author\'s `gpu` column, with a warning', async () => {
    const doc = await profileFiles([join(ROOT, 'nvidia-smi-query/h100x8-selfheader-interleaved-nounits.csv')]);
    const gpu = doc.tasks[0]?.gpu;
    expect(gpu?.gpus.map((g) => g.index)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(gpu?.warnings.join('\n')).toMatch(/column "index".*told apart by column "gpu"/);
  });

  it('reads the headerless capture in a run directory whose manifest gives its 23 fields (profiling.gpu_fields)', async () => {
    const name = 'nvidia-smi-query/rtxpro6000-blackwell-x4-noheader-nounits.csv';
    const ref = references.files[name] as RefFile;
    const run = mkdtempSync(join(tmpdir(), 'hpcb-real-gpu-'));
    const manifest = { schema: 'hpcbench.manifest/1', run_id: 'r1', experiments: ['exp'], jobs: [{ experiment: 'exp', out_dir: 'out/exp', parameters: {}, gpu_fields: ref.header }] };
    writeFileSync(join(run, 'manifest.json'), JSON.stringify(manifest));
    mkdirSync(join(run, 'out/exp/main'), { recursive: true });
    copyFileSync(join(ROOT, name), join(run, 'out/exp/main/nvidia-smi.csv'));
    const doc = await profileRun(run);
    const gpus = doc.tasks[0]?.gpu?.gpus ?? [];
    expect(gpus.map((g) => g.uuid).sort()).toEqual(Object.keys(ref.gpus).sort());
    for (const [uuid, value] of Object.entries(ref.gpus)) {
      const g = findGpu(gpus, uuid, ref);
      checkStats(g.powerW, (value as RefQueryGpu).power_draw_w, `${uuid} power.draw`);
    }
  });

  it('asks for the field list of the headerless capture when none is given', async () => {
    const error = await profileFiles([join(ROOT, 'nvidia-smi-query/rtxpro6000-blackwell-x4-noheader-nounits.csv')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/no header line and 23 fields per row/);
    expect((error as InputError).hint).toMatch(/--gpu-fields/);
  });
});

describe('real nvidia-smi dmon captures', () => {
  for (const name of filesOf('nvidia-smi-dmon')) {
    const ref = references.files[name] as RefFile;
    it(`reads ${name}: samples and mean sm / mem / pwr per GPU`, async () => {
      const doc = await profileFiles([join(ROOT, name)]);
      const gpus = doc.tasks[0]?.gpu?.gpus ?? [];
      expect(gpus.length).toBe(Object.keys(ref.gpus).length);
      for (const [key, value] of Object.entries(ref.gpus)) {
        const r = value as RefDmonGpu;
        const g = findGpu(gpus, key, ref);
        expect(g.samples, `${key} samples`).toBe(r.samples);
        if (r.mean_sm === null) expect(g.utilization).toBeNull();
        else close(g.utilization?.mean, r.mean_sm, `${key} sm`);
        if (r.mean_mem === null) expect(g.memoryUtilization).toBeNull();
        else close(g.memoryUtilization?.mean, r.mean_mem, `${key} mem`);
        if (r.mean_pwr === null || r.mean_pwr === undefined) expect(g.powerW).toBeNull();
        else close(g.powerW?.mean, r.mean_pwr, `${key} pwr`);
        // dmon's `-` cells per column, in hpcbench's `missing` under the metric or the column name.
        const dmonName: Record<string, string> = { sm: 'utilization.gpu', mem: 'utilization.memory', pwr: 'power.draw', gtemp: 'temperature.gpu', temp: 'temperature.gpu', mclk: 'clocks.mem', pclk: 'clocks.gr' };
        for (const [column, count] of Object.entries(r.dash_values_by_column)) expect(missingCount(g, dmonName[column] ?? column), `${key} ${column} '-'`).toBe(count);
      }
    });
  }
});

describe('real nvidia-smi --query-compute-apps capture', () => {
  const name = 'nvidia-smi-apps/rtxpro6000-compute-apps-noheader-nounits.csv';
  const ref = references.files[name] as RefFile;
  it(`puts ${name} in metrics.json: processes and memory per GPU`, async () => {
    const doc = await profileFiles([join(ROOT, name)]);
    const apps = doc.tasks[0]?.gpu_processes;
    expect(apps, 'gpu_processes section').toBeDefined();
    expect(apps?.processes.length).toBe(ref.process_rows);
    expect(apps?.gpus.length).toBe(Object.keys(ref.gpus).length);
    for (const [uuid, value] of Object.entries(ref.gpus)) {
      const r = value as { processes: number; used_memory_mib_total: number };
      const g = apps?.gpus.find((x) => x.gpu === uuid);
      expect(g?.processes, uuid).toBe(r.processes);
      close(g?.usedMiBSumOfPeaks, r.used_memory_mib_total, `${uuid} used memory`);
    }
    expect(apps?.pidsOnSeveralGpus.map(String)).toEqual(ref.pids_on_several_gpus);
    expect(doc.sources.map((s) => s.kind)).toEqual(['compute-apps']);
  });

  it('is recognised by content by the library API too (summarizeNvidiaSmiLogs), beside a table-first query log', async () => {
    const query = join(ROOT, 'nvidia-smi-query/v100-table-banner-then-csv.csv');
    const summary = await summarizeNvidiaSmiLogs([join(ROOT, name), query]);
    expect(summary.formats[join(ROOT, name)]).toBe('compute-apps');
    expect(summary.formats[query]).toBe('query-gpu');
    expect(summary.computeApps?.processes.length).toBe(ref.process_rows);
    expect(summary.gpu?.gpus[0]?.samples).toBe(4);
  });
});

describe('a real GPU log saved under another kind\'s name', () => {
  const named = (source: string, name: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'hpcb-named-')), name);
    copyFileSync(join(ROOT, source), file);
    return file;
  };

  it('reads dmon output named nvidia-smi.csv as dmon (the content wins over the name)', async () => {
    const doc = await profileFiles([named('nvidia-smi-dmon/gtx1050ti-old-format-temp-column.log', 'nvidia-smi.csv')]);
    expect(doc.tasks[0]?.gpu?.format).toBe('dmon');
    close(doc.tasks[0]?.gpu?.gpus[0]?.utilization?.mean, 99.78378378378379, 'sm');
  });

  it('reads a compute-apps snapshot named nvidia-smi.csv into gpu_processes', async () => {
    const doc = await profileFiles([named('nvidia-smi-apps/rtxpro6000-compute-apps-noheader-nounits.csv', 'nvidia-smi.csv')]);
    expect(doc.tasks[0]?.gpu_processes?.processes.length).toBe(6);
    expect(doc.tasks[0]?.gpu).toBeUndefined();
  });

  it('reads the table-first query log named dmon.log as a query log', async () => {
    const doc = await profileFiles([named('nvidia-smi-query/v100-table-banner-then-csv.csv', 'dmon.log')]);
    expect(doc.tasks[0]?.gpu?.format).toBe('query-gpu');
    expect(doc.tasks[0]?.gpu?.gpus[0]?.samples).toBe(4);
  });
});
