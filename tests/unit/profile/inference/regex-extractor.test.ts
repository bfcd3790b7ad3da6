import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/errors.js';
import { compileExtractors, extractFields, fieldsToInferenceRecord } from '../../../../src/profile/inference/regex-extractor.js';

const PATH = 'experiments.serve.profile.extractors';

describe('compileExtractors', () => {
  it('reports every invalid extractor at once, located by config path', () => {
    const error = (() => {
      try {
        compileExtractors(
          [
            { pattern: 'latency=(?<latency_s>[\\d.]+)' },
            { pattern: 'ttft=(?<ttft_ms>[\\d.+' },
            { pattern: 'no groups here' },
            { pattern: '(\\d+)', fields: ['bad-name'] },
            { pattern: '(?<x>a)', flags: 'g' },
          ],
          PATH,
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual([`${PATH}[1].pattern`, `${PATH}[2].pattern`, `${PATH}[3].fields`, `${PATH}[4].flags`]);
    expect(issues[0]?.message).toMatch(/invalid regular expression/);
    expect((error as ConfigError).message).toContain(`${PATH}[1].pattern: invalid regular expression`);
  });
});

describe('extractFields', () => {
  it('turns named groups into fields and numbers into numbers', () => {
    const ex = compileExtractors([{ pattern: 'id=(?<id>\\w+) e2e=(?<latency_ms>[\\d.]+)ms tok=(?<output_tokens>\\d+)' }], PATH);
    expect(extractFields(ex, 'INFO id=req7 e2e=1336.5ms tok=128')).toEqual({ id: 'req7', latency_ms: 1336.5, output_tokens: 128 });
    expect(extractFields(ex, 'INFO unrelated')).toBeUndefined();
  });

  it('names unnamed groups with `fields` and merges several matching extractors', () => {
    const ex = compileExtractors(
      [
        { pattern: 'ttft ([\\d.]+) s', fields: ['ttft_s'] },
        { pattern: 'latency (?<latency_s>[\\d.e-]+)' },
      ],
      PATH,
    );
    expect(extractFields(ex, 'ttft 0.25 s latency 1e-1')).toEqual({ ttft_s: 0.25, latency_s: 0.1 });
  });
});

describe('fieldsToInferenceRecord', () => {
  it('converts milliseconds, warm-up flags and param_ fields', () => {
    const out = fieldsToInferenceRecord({ latency_ms: 1500, ttft_ms: 80, warmup: 'true', param_batch: 8, helper: 'x' });
    expect('record' in out).toBe(true);
    if (!('record' in out)) return;
    expect(out.record).toMatchObject({ latencyS: 1.5, ttftS: 0.08, warmup: true, params: { batch: 8 } });
    expect(out.record.params).not.toHaveProperty('helper');
  });

  it('gives a reason naming the field when values do not fit the schema', () => {
    const out = fieldsToInferenceRecord({ latency_s: 1, output_tokens: 'many' });
    expect(out).toEqual({ reason: expect.stringContaining('field `output_tokens`') });
    expect(fieldsToInferenceRecord({ output_tokens: 3 })).toEqual({ reason: expect.stringContaining('latency_s') });
  });

  it('never throws on random text and captures', () => {
    const ex = compileExtractors([{ pattern: '(?<latency_ms>\\S+) (?<output_tokens>\\S+)(?: (?<warmup>\\S+))?' }], PATH);
    fc.assert(
      fc.property(fc.string(), (line) => {
        const fields = extractFields(ex, line);
        if (fields !== undefined) {
          const out = fieldsToInferenceRecord(fields);
          expect('record' in out || 'reason' in out).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
