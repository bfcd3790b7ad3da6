import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { detectInferenceFormat, readInferenceLog } from '../../../../src/profile/inference/log.js';
import { parseInferenceLine } from '../../../../src/profile/inference/schema.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { compileExtractors } from '../../../../src/profile/inference/regex-extractor.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/inference');
const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-inference-'));
let counter = 0;
function writeTemp(text: string, ext = '.jsonl'): string {
  const file = join(tmp, `f${counter++}${ext}`);
  writeFileSync(file, text);
  return file;
}

describe('parseInferenceLine', () => {
  it('reads a header and applies its params to later records', () => {
    const header = parseInferenceLine('{"schema": "hpcbench.inference/1", "params": {"batch_size": 4}}');
    expect(header).toEqual({ kind: 'header', header: { schema: 'hpcbench.inference/1', params: { batch_size: 4 } } });
    const record = parseInferenceLine('{"latency_s": 1.5, "output_tokens": 10, "params": {"max_new_tokens": 64}}', { batch_size: 4 });
    expect(record.kind).toBe('record');
    if (record.kind !== 'record') return;
    expect(record.record.params).toEqual({ batch_size: 4, max_new_tokens: 64 });
    expect(record.record.latencyS).toBe(1.5);
    expect(record.record.batchSize).toBe(1);
    expect(record.record.error).toBeNull();
  });

  it('derives latency from start/end and TTFT/ITL from token timestamps', () => {
    const parsed = parseInferenceLine('{"start": 10, "end": 11, "output_tokens": 3, "token_times_s": [10.25, 10.5, 11]}');
    if (parsed.kind !== 'record') throw new Error(`unexpected ${parsed.kind}`);
    expect(parsed.record.latencyS).toBe(1);
    expect(parsed.record.ttftS).toBe(0.25);
    expect(parsed.record.itlsS).toEqual([0.25, 0.5]);
  });

  it('treats null as an absent key (Python writers turn NaN into null)', () => {
    const parsed = parseInferenceLine('{"latency_s": 1.2, "ttft_s": null, "output_tokens": null, "warmup": null}');
    expect(parsed.kind).toBe('record');
    if (parsed.kind !== 'record') return;
    expect(parsed.record).not.toHaveProperty('ttftS');
    expect(parsed.record).not.toHaveProperty('outputTokens');
    expect(parsed.record.warmup).toBe(false);
  });

  it('treats an empty error string as success and a message as failure', () => {
    const ok = parseInferenceLine('{"latency_s": 1, "error": ""}');
    const bad = parseInferenceLine('{"latency_s": 1, "error": "timeout"}');
    expect(ok.kind === 'record' && ok.record.error).toBeNull();
    expect(bad.kind === 'record' && bad.record.error).toBe('timeout');
  });

  it.each([
    ['{"latency_s": -1}', 'field `latency_s`'],
    ['{"output_tokens": 4}', 'needs `latency_s` or both `start` and `end`'],
    ['{"start": 10, "end": 9}', '`end` (9) is before `start` (10)'],
    ['{"latency_s": 1, "batch_size": 0}', 'field `batch_size`'],
    ['{"latency_s": 1, "output_tokens": 2.5}', 'field `output_tokens`'],
    ['{"latency_s": NaN}', 'not valid JSON'],
    ['[1,2]', 'expected a JSON object, found an array'],
    ['{"schema": "other/1"}', 'header: field `schema`'],
  ])('rejects %s with a reason naming the problem', (text, reason) => {
    const parsed = parseInferenceLine(text);
    expect(parsed.kind).toBe('rejected');
    if (parsed.kind === 'rejected') expect(parsed.reason).toContain(reason);
  });
});

describe('readInferenceLog', () => {
  it('streams the JSONL fixture: header, records with file and line', async () => {
    const log = await readInferenceLog(join(fixtures, 'requests.jsonl'));
    expect(log.format).toBe('jsonl');
    expect(log.header?.model).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(log.params).toEqual({ batch_size: 1, max_new_tokens: 8 });
    expect(log.records).toHaveLength(7);
    expect(log.records[0]?.warmup).toBe(true);
    expect(log.records[1]?.line).toBe(3);
    expect(log.records[4]?.error).toContain('CUDA out of memory');
  });

  it('counts every rejected line and reports the first ones with file:line and reason', async () => {
    const rejected = new RejectedLines(3);
    const file = join(fixtures, 'bad-lines.jsonl');
    const log = await readInferenceLog(file, { rejected });
    expect(log.records.map((r) => r.latencyS)).toEqual([0.5, 0.7]);
    expect(rejected.count).toBe(7);
    expect(rejected.examples).toHaveLength(3);
    expect(rejected.examples[0]).toEqual({ file, line: 3, reason: expect.stringContaining('field `latency_s`') });
    expect(rejected.examples[1]).toMatchObject({ file, line: 4, reason: expect.stringContaining('not valid JSON') });
    expect(rejected.format()).toContain(`${file}:3: field`);
  });

  it('reads a log written by the reference workload workloads/infer.py', async () => {
    const rejected = new RejectedLines();
    const log = await readInferenceLog(join(fixtures, 'infer-ngram-cpu.jsonl'), { rejected });
    expect(rejected.count).toBe(0);
    expect(log.header).toMatchObject({ schema: 'hpcbench.inference/1', backend: 'ngram', params: { batch_size: 4, max_new_tokens: 16 } });
    expect(log.records).toHaveLength(6);
    expect(log.records.filter((r) => r.warmup)).toHaveLength(2);
    for (const r of log.records) {
      expect(r).toMatchObject({ batchSize: 4, outputTokens: 64, error: null });
      expect(r.itlsS).toHaveLength(15);
      expect(r.ttftS).toBeGreaterThanOrEqual(0);
      expect(r.ttftS).toBeLessThanOrEqual(r.latencyS);
    }
  });

  it('says that an unterminated last line was truncated', async () => {
    const rejected = new RejectedLines();
    const log = await readInferenceLog(join(fixtures, 'truncated.jsonl'), { rejected });
    expect(log.records).toHaveLength(1);
    expect(rejected.examples[0]?.line).toBe(2);
    expect(rejected.examples[0]?.reason).toMatch(/^truncated last line/);
  });

  it('rejects a second header', async () => {
    const rejected = new RejectedLines();
    const file = writeTemp('{"latency_s": 1}\n{"schema": "hpcbench.inference/1"}\n');
    await readInferenceLog(file, { rejected });
    expect(rejected.examples[0]).toMatchObject({ line: 2, reason: expect.stringContaining('second header') });
  });

  it('throws InputError for an empty file', async () => {
    const file = writeTemp('');
    await expect(readInferenceLog(file)).rejects.toThrow(InputError);
    await expect(readInferenceLog(file)).rejects.toThrow(/empty/);
  });

  it('throws InputError naming the first bad line when nothing is usable', async () => {
    const file = writeTemp('{"foo": 1}\n{"bar": 2}\n');
    const error = await readInferenceLog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('no inference records found; 2 line(s) rejected, first at line 1');
    expect((error as InputError).line).toBe(1);
  });

  it('throws InputError for an unrecognised text file without extractors', async () => {
    const file = writeTemp('hello world\n', '.txt');
    await expect(readInferenceLog(file)).rejects.toThrow(/unrecognised content/);
  });

  it('detects vLLM results, JSONL and text logs', async () => {
    expect(await detectInferenceFormat(join(fixtures, 'vllm-serving-result.json'), false)).toBe('vllm');
    expect(await detectInferenceFormat(join(fixtures, 'vllm-serving-summary.json'), false)).toBe('vllm');
    expect(await detectInferenceFormat(join(fixtures, 'requests.jsonl'), false)).toBe('jsonl');
    expect(await detectInferenceFormat(join(fixtures, 'server.log'), true)).toBe('text');
    const pretty = writeTemp('{\n  "duration": 1.0,\n  "completed": 1,\n  "total_input_tokens": 2\n}\n', '.json');
    expect(await detectInferenceFormat(pretty, false)).toBe('vllm');
  });

  it('reads a text log through regex extractors, rejecting a matching line with a bad value', async () => {
    const extractors = compileExtractors(
      [
        {
          pattern:
            'prompt_tokens=(?<input_tokens>\\d+) completion_tokens=(?<output_tokens>\\S+) ttft=(?<ttft_ms>[\\d.]+)ms e2e=(?<latency_ms>[\\d.]+)ms',
        },
      ],
      'experiments.serve.profile.extractors',
    );
    const rejected = new RejectedLines();
    const file = join(fixtures, 'server.log');
    const log = await readInferenceLog(file, { extractors, rejected });
    expect(log.format).toBe('text');
    expect(log.records).toHaveLength(4);
    expect(log.records[0]).toMatchObject({ inputTokens: 180, outputTokens: 128, line: 4 });
    expect(log.records[0]?.latencyS).toBeCloseTo(1.336, 12);
    expect(log.records[0]?.ttftS).toBeCloseTo(0.085, 12);
    expect(rejected.count).toBe(1);
    expect(rejected.examples[0]).toMatchObject({ file, line: 8, reason: expect.stringContaining('field `output_tokens`') });
  });

  it('needs extractors for an explicit text format', async () => {
    await expect(readInferenceLog(join(fixtures, 'server.log'), { format: 'text' })).rejects.toThrow(/needs regex extractors/);
  });
});

describe('inference parsers under random input', () => {
  const validLine = fc
    .record({
      latency_s: fc.double({ min: 0, max: 100, noNaN: true }),
      output_tokens: fc.nat(4096),
      input_tokens: fc.nat(4096),
      batch_size: fc.integer({ min: 1, max: 64 }),
    })
    .map((r) => JSON.stringify(r));
  const mutated = fc.tuple(validLine, fc.nat(), fc.string({ maxLength: 4 })).map(([line, at, insert]) => {
    const i = at % (line.length + 1);
    return line.slice(0, i) + insert + line.slice(i + 1);
  });
  const anyLine = fc.oneof(validLine, mutated, fc.string(), fc.json());

  it('parseInferenceLine never throws', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const parsed = parseInferenceLine(line);
        expect(['header', 'record', 'rejected']).toContain(parsed.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('readInferenceLog throws nothing but InputError and accounts for every line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { maxLength: 12 }), async (lines) => {
        const clean = lines.map((l) => l.replace(/[\r\n]/g, ' '));
        const file = writeTemp(clean.join('\n'));
        const rejected = new RejectedLines();
        try {
          const log = await readInferenceLog(file, { rejected, format: 'jsonl' });
          const nonBlank = clean.filter((l) => l.trim() !== '').length;
          expect(log.records.length + rejected.count + (log.header ? 1 : 0)).toBe(nonBlank);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 150 },
    );
  });
});
