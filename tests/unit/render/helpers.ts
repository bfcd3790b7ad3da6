// Shared fixtures for the render tests: the fixture config, and small configs built in memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, loadConfigText, type ResolvedConfig } from '../../../src/config/index.js';
import { renderRun, type RenderedRun, type RenderOptions } from '../../../src/render/index.js';

export const FIXTURE_DIR = resolve('tests/fixtures/render');
export const FIXTURE_CONFIG = join(FIXTURE_DIR, 'hpcbench.yaml');
export const RUN_ID = '20261124-061500-lora-3f2a';
export const NOW = new Date('2026-11-24T06:15:00Z');

export function loadFixture(): ResolvedConfig {
  return loadConfig(FIXTURE_CONFIG);
}

export function renderFixture(experiment: string, options: RenderOptions = {}): RenderedRun {
  return renderRun(loadFixture(), experiment, { runId: RUN_ID, now: NOW, ...options });
}

/** A one-cluster config on the local test cluster's shape with one experiment named `exp`. */
export function localConfig(experimentYaml: string, clusterExtra = ''): ResolvedConfig {
  const text = `
clusters:
  local:
    preset: generic
    transport: local
${clusterExtra}
    partitions:
      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 22G, max_time: "01:00:00" }
      gpu: { kind: gpu, gpus_per_node: 2, cpus_per_node: 8, mem_per_node: 22G, max_time: "01:00:00" }
experiments:
  exp:
${experimentYaml.replace(/^/gm, '    ')}
`;
  return loadConfigText(text, 'inline.yaml', FIXTURE_DIR);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hpcbench-${prefix}-`));
}

export function fileOf(rendered: RenderedRun, path: string): string {
  const text = rendered.files.get(path);
  if (text === undefined) throw new Error(`no ${path} among ${[...rendered.files.keys()].join(', ')}`);
  return text;
}

/** A config built from plain objects (YAML accepts JSON), for values that are awkward to write as YAML. */
export function configFromObjects(cluster: Record<string, unknown>, experiment: Record<string, unknown>): ResolvedConfig {
  const base = {
    preset: 'generic',
    transport: 'local',
    partitions: {
      cpu: { kind: 'cpu', cpus_per_node: 8, mem_per_node: '22G', max_time: '01:00:00' },
      gpu: { kind: 'gpu', gpus_per_node: 2, cpus_per_node: 8, mem_per_node: '22G', max_time: '01:00:00' },
    },
  };
  const text = `clusters:\n  local: ${JSON.stringify({ ...base, ...cluster })}\nexperiments:\n  exp: ${JSON.stringify(experiment)}\n`;
  return loadConfigText(text, 'inline.yaml', FIXTURE_DIR);
}
