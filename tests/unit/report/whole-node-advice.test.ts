// Advice follows whole-node billing: render records in manifest.json that a partition bills whole
// nodes (and its shared twin), and the report tells a job that used part of such a node what it
// paid for, instead of advising fewer CPUs that would not lower the charge.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/index.js';
import { renderRun } from '../../../src/render/index.js';
import { adviseOnMetrics } from '../../../src/report/advisor.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import type { TaskBilling } from '../../../src/profile/metrics-document.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const NOW = { now: () => new Date('2026-12-01T17:00:00Z') };

function manifestBilling(partition: string): unknown {
  const text = `clusters:
  sd: { preset: santos-dumont, ssh: sd, project: proj, user: alice }
experiments:
  exp: { partition: ${partition}, command: python infer.py, resources: { time: 60, gpus: 1 } }
`;
  return renderRun(loadConfigText(text, 'inline.yaml', process.cwd()), 'exp', { runId: 'b1' }).manifest.jobs[0]?.billing;
}

function taskOn(billing: TaskBilling | undefined, gpus: number, cpuEfficiency: number) {
  const task = emptyTask('exp', 'main');
  if (billing) task.billing = billing;
  task.accounting = { jobId: '9', state: 'COMPLETED', exitCode: '0:0', partition: 'sequana_gpu', nodes: 1, elapsedSeconds: 3600, cpuHours: 48, gpuHours: gpus, cpuEfficiency };
  return task;
}

describe('whole-node billing in advice', () => {
  it('render records the billing of a whole-node partition and none for a shared one', () => {
    expect(manifestBilling('sequana_gpu')).toEqual({ whole_node: true, node_gpus: 4, node_cpus: 48, shared_alternative: 'sequana_gpu_shared' });
    expect(manifestBilling('sequana_gpu_shared')).toBeUndefined();
  });

  it('tells a 1-GPU job on a whole-node partition that it paid for the node, naming the shared partition, and gives no fewer-CPUs advice', () => {
    const billing: TaskBilling = { whole_node: true, node_gpus: 4, node_cpus: 48, shared_alternative: 'sequana_gpu_shared' };
    const doc = emptyDoc('r1', ['exp'], [taskOn(billing, 1, 0.05)]);
    const advice = adviseOnMetrics(doc);
    expect(advice.map((a) => a.code)).toContain('whole-node-partial');
    expect(advice.map((a) => a.code)).not.toContain('low-cpu-efficiency');
    expect(advice.find((a) => a.code === 'whole-node-partial')?.values).toEqual({ used: 1, total: 4, cpus: 48, shared: 'sequana_gpu_shared' });
    const model = buildReportModel(doc, undefined, NOW);
    expect(renderMarkdownReport(model, 'en')).toContain('The job used 1 of the node’s 4 GPUs on a partition that bills whole nodes, so it was charged for the whole node. Use sequana_gpu_shared');
    expect(renderMarkdownReport(model, 'pt-BR')).toContain('O job usou 1 das 4 GPUs do nó numa fila que cobra o nó inteiro');
  });

  it('says nothing of billing when the job used the whole node, and keeps the CPU advice on shared partitions', () => {
    const billing: TaskBilling = { whole_node: true, node_gpus: 4, node_cpus: 48 };
    expect(adviseOnMetrics(emptyDoc('r2', ['exp'], [taskOn(billing, 4, 0.9)])).map((a) => a.code)).not.toContain('whole-node-partial');
    expect(adviseOnMetrics(emptyDoc('r3', ['exp'], [taskOn(billing, 2, 0.9)])).map((a) => a.code)).toContain('whole-node-partial-no-shared');
    expect(adviseOnMetrics(emptyDoc('r4', ['exp'], [taskOn(undefined, 1, 0.05)])).map((a) => a.code)).toContain('low-cpu-efficiency');
  });
});
