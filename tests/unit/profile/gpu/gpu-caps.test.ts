// A GPU log naming endless distinct GPU ids (or one endless line) is refused with the file and
// line, before it can hold an accumulator per id: 50,000 ids once took 5 GB.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { MAX_GPUS_PER_FILE } from '../../../../src/profile/gpu/log-accumulator.js';
import { readTrainerState } from '../../../../src/profile/training/trainer-state.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';

const IDS = 50_000;

function write(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hpcb-caps-')), name);
  writeFileSync(file, text);
  return file;
}

async function refusal(file: string): Promise<InputError> {
  const before = process.memoryUsage().heapUsed;
  try {
    await profileFiles([file], { bootstrapIterations: 100 });
  } catch (error) {
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(512 * 1024 * 1024);
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the file to be refused');
}

const lines = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n');

describe('per-file caps of the GPU log readers', () => {
  it('nvidia-smi query: refuses the id past the cap at its line', async () => {
    const header = 'timestamp, index, pci.bus_id, utilization.gpu [%], memory.used [MiB]';
    const file = write('nvidia-smi.csv', `${header}\n${lines(IDS, (i) => `2024/05/14 10:21:07.000, ${i}, 00000000:${i.toString(16).padStart(4, '0')}:00.0, 50 %, 100 MiB`)}\n`);
    const error = await refusal(file);
    expect(error.message).toBe(`${file}:${MAX_GPUS_PER_FILE + 2}: more than ${MAX_GPUS_PER_FILE} distinct GPU ids in one file; expected the GPUs of one job`);
  });

  it('nvidia-smi dmon: refuses the id past the cap at its line', async () => {
    const file = write('dmon.log', `# gpu    sm   mem\n# Idx     %     %\n${lines(IDS, (i) => `${i} 50 10`)}\n`);
    const error = await refusal(file);
    expect(error.message).toBe(`${file}:${MAX_GPUS_PER_FILE + 3}: more than ${MAX_GPUS_PER_FILE} distinct GPU ids in one file; expected the GPUs of one job`);
  });

  it('compute-apps: refuses the GPU id past the cap at its line', async () => {
    const header = 'timestamp, gpu_uuid, gpu_bus_id, pid, process_name, used_gpu_memory [MiB]';
    const file = write('compute-apps.csv', `${header}\n${lines(IDS, (i) => `2024/05/14 10:21:07.500, GPU-${i}, 00000000:07:00.0, 1234, python, 100 MiB`)}\n`);
    const error = await refusal(file);
    expect(error.message).toBe(`${file}:${MAX_GPUS_PER_FILE + 2}: more than ${MAX_GPUS_PER_FILE} distinct GPU ids in one file; expected the GPUs of one job`);
  });

  it('keeps a log of many GPUs below the cap', async () => {
    const header = 'timestamp, index, utilization.gpu [%]';
    const file = write('nvidia-smi.csv', `${header}\n${lines(64, (i) => `2024/05/14 10:21:07.000, ${i}, 50 %`)}\n`);
    const doc = await profileFiles([file], { bootstrapIterations: 100 });
    expect(doc.tasks[0]?.gpu?.gpus).toHaveLength(64);
  });

  it('refuses a file read whole (trainer_state.json, vLLM result, sacct) over 256 MiB before reading it, and a directory', async () => {
    const file = write('trainer_state.json', '');
    truncateSync(file, 256 * 1024 * 1024 + 1); // one byte over the 256 MiB cap; sparse: nothing is written
    await expect(readTrainerState(file)).rejects.toThrow(/trainer_state\.json: the file is 268435457 bytes; expected a trainer_state\.json of at most 256 MiB/);
    await expect(readTrainerState(tmpdir())).rejects.toThrow(/cannot read the file: it is a directory/);
  });

  it('refuses a line longer than the cap, naming the line', async () => {
    const file = write('nvidia-smi.csv', `timestamp, index, utilization.gpu [%]\n2024/05/14 10:21:07.000, 0, 50 %\n${'9'.repeat(16 * 1024 * 1024 + 10)}\n`);
    const error = await refusal(file);
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: line is longer than 16 MiB`));
  });
});
