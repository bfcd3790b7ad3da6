// `run --local --set` changes the experiment for one run exactly as render and submit do.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localConfigText } from '../support/local-config.js';
import { runCli } from './run-cli.js';

function project(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-run-set-'));
  const config = join(dir, 'hpcbench.yaml');
  writeFileSync(
    config,
    localConfigText('  hello:\n    partition: local\n    parameters: { greeting: plain }\n    command: \'echo "$greeting" > greeting.txt\''),
  );
  return { dir, config };
}

describe('run --local --set', () => {
  it('passes the overridden parameter to the job', async () => {
    const { dir, config } = project();
    const result = await runCli(['run', 'hello', '--local', '--run-id', 'set-1', '--config', config, '--set', 'greeting=overridden', '--no-profile', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // What the job itself wrote: the value reached the workload, not only the script.
    expect(readFileSync(join(dir, 'results', 'set-1', 'greeting.txt'), 'utf8')).toBe('overridden\n');
  });

  it('without --set keeps the value of the file', async () => {
    const { dir, config } = project();
    const result = await runCli(['run', 'hello', '--local', '--run-id', 'set-2', '--config', config, '--no-profile', '--quiet']);
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'results', 'set-2', 'greeting.txt'), 'utf8')).toBe('plain\n');
  });

  it('refuses a malformed --set with exit 2 before running anything', async () => {
    const { config } = project();
    const result = await runCli(['run', 'hello', '--local', '--run-id', 'set-3', '--config', config, '--set', 'no-equals-sign']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected key=value');
  });
});
