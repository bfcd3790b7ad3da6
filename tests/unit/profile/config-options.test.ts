import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/index.js';
import { profileOptionsFromConfig } from '../../../src/profile/config-options.js';
import { profileRun } from '../../../src/profile/profile-run.js';

const config = loadConfigText(`
clusters:
  c:
    preset: generic
    transport: local
    partitions: { p: { kind: cpu } }
    rates: { su_per_cpu_hour: 2, currency_per_su: 0.5, currency: BRL }
experiments:
  a:
    command: "true"
    profiling: { warmup: 2, slo: { ttft_ms: 200 } }
  b:
    command: "true"
`);

describe('profileOptionsFromConfig', () => {
  it('carries warm-up, SLOs and rates per experiment', () => {
    const options = profileOptionsFromConfig(config);
    expect(options.a).toMatchObject({ warmup: 2, slo: { ttftMs: 200 }, rates: { suPerCpuHour: 2, currencyPerSu: 0.5, currency: 'BRL' } });
    expect(options.b?.warmup).toBe(0);
    expect(options.b?.slo).toBeUndefined();
  });

  it('is applied by profileRun to the tasks of that experiment only', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hpcb-po-'));
    for (const exp of ['a', 'b']) {
      mkdirSync(join(run, 'out', exp, 'main'), { recursive: true });
      copyFileSync('tests/fixtures/inference/requests.jsonl', join(run, 'out', exp, 'main', 'inference.jsonl'));
    }
    const doc = await profileRun(run, { experiments: profileOptionsFromConfig(config) });
    const [a, b] = [doc.tasks.find((t) => t.experiment === 'a')!, doc.tasks.find((t) => t.experiment === 'b')!];
    // The fixture's first record is flagged warm-up: b drops it alone, a drops its first two records.
    expect(b.inference!.warmupRecordsExcluded).toBe(1);
    expect(a.inference!.warmupRecordsExcluded).toBe(2);
    expect(a.inference!.goodput).toBeDefined();
    expect(b.inference!.goodput).toBeUndefined();
  });
});
