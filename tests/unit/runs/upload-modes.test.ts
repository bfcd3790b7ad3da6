// Uploaded run files keep no group/other access on the cluster, whatever their local mode and
// the cluster's umask: scripts carry the experiments' `env:` (tokens, API keys).
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../../src/runs/lock.js';
import { uploadRun } from '../../../src/runs/upload.js';
import { LocalTransport } from '../../../src/transport/local.js';
import { makeRenderedRun } from './helpers.js';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('uploadRun file modes', () => {
  it('uploads scripts 0700 and other files 0600 into directories created 0700', async () => {
    const { runDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    // As an older hpcbench or a user's editor would have left them: world-readable.
    chmodSync(join(runDir, 'scripts/a.sbatch'), 0o755);
    chmodSync(join(runDir, 'manifest.json'), 0o644);
    writeFileSync(join(runDir, 'scripts/a.env'), 'HF_TOKEN=hf_secret\n', { mode: 0o644 });
    // An extensionless program its owner can run stays runnable, by the owner only.
    writeFileSync(join(runDir, 'scripts/launch'), '#!/bin/sh\n', { mode: 0o755 });
    // The run's lock stays here: it names this machine's processes.
    writeFileSync(join(runDir, LOCK_FILE), '{}');
    const remote = join(mkdtempSync(join(tmpdir(), 'hpcbench-upload-')), 'work', manifest.run_id);
    const transport = new LocalTransport();
    try {
      const count = await uploadRun(transport, runDir, remote, manifest, runDir);
      expect(count).toBe(4);
    } finally {
      await transport.close();
    }
    expect(modeOf(join(remote, 'scripts/a.sbatch'))).toBe(0o700);
    expect(modeOf(join(remote, 'scripts/a.env'))).toBe(0o600);
    expect(modeOf(join(remote, 'scripts/launch'))).toBe(0o700);
    expect(modeOf(join(remote, 'manifest.json'))).toBe(0o600);
    expect(modeOf(remote)).toBe(0o700);
    expect(existsSync(join(remote, LOCK_FILE))).toBe(false);
    expect(modeOf(join(remote, 'scripts'))).toBe(0o700);
    expect(modeOf(join(remote, 'out/a/main'))).toBe(0o700);
  });
});
