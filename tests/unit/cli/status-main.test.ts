import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusMain } from '../../../src/cli/status-main.js';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'hpcb-status-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the status entry (bin/hpcbench.js loads it for `status …`)', () => {
  it('hands back the lines it does not read, for the full CLI to answer through yargs', async () => {
    for (const argv of [['status', '--help'], ['status', '-h'], ['status', '--no-json'], ['status', 'a', 'b'], ['watch'], []]) {
      expect(await statusMain(argv), argv.join(' ')).toBeUndefined();
    }
  });

  it('answers a usual line itself, with the exit code and message of the full CLI', async () => {
    const results = join(scratch, 'results');
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    let code: number | undefined;
    try {
      code = await statusMain(['status', '--results', results]);
    } finally {
      err.mockRestore();
    }
    const full = await runCli(['status', '--results', results, '--no-json']);
    expect(code).toBe(2);
    expect(full.code).toBe(2);
    expect(stderr).toMatch(/no runs? .*results/);
    expect(stderr).toBe(full.stderr);
  });
});
