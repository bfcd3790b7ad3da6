import { describe, expect, it } from 'vitest';
import { selectLiveTasks } from '../../../src/runs/live-tasks.js';
import type { RunRecord } from '../../../src/runs/run-record.js';
import { parseJobState, type JobView, type SlurmJobRecord } from '../../../src/slurm/index.js';

function rec(fields: Omit<Partial<SlurmJobRecord>, 'state'> & { state: string }): SlurmJobRecord {
  return { jobId: '1', name: 'x', source: 'squeue', ...fields, state: parseJobState(fields.state) };
}

const record = {
  remote_dir: '/scratch/p/u/hpcbench/runs/R1',
  jobs: [
    { experiment: 'train', job_id: '100', checkpoint: true },
    { experiment: 'infer', job_id: '200' },
  ],
} as unknown as RunRecord;

const manifestJobs = [
  { experiment: 'train', out_dir: 'out/train', training_log: 'train.jsonl', inference_log: 'inference.jsonl', gpu_fields: ['index', 'utilization.gpu'] },
  { experiment: 'infer', out_dir: 'out/infer', training_log: '/abs/train.jsonl', inference_log: 'inference.jsonl', gpu_fields: [] },
];

describe('selectLiveTasks', () => {
  it('lists running tasks only, one per array task, with their files on the cluster and the squeue figures', () => {
    const views: JobView[] = [
      { id: '100', state: parseJobState('RUNNING'), source: 'squeue', records: [rec({ jobId: '100', state: 'RUNNING', elapsedSeconds: 30, timeLimitSeconds: 7200 })] },
      {
        id: '200',
        state: parseJobState('RUNNING'),
        source: 'squeue',
        records: [
          rec({ jobId: '200_0', arrayJobId: '200', arrayTaskId: '0', jobIdRaw: '201', state: 'RUNNING' }),
          rec({ jobId: '200_1', arrayJobId: '200', arrayTaskId: '1', state: 'COMPLETED' }),
          rec({ jobId: '200_[2-5]', arrayJobId: '200', arrayTaskId: '2-5', arrayPendingRange: true, state: 'PENDING' }),
        ],
      },
    ];
    const tasks = selectLiveTasks(views, record, manifestJobs, { train: { steps: 500 } });
    expect(tasks).toEqual([
      {
        experiment: 'train',
        task: 'main',
        jobId: '100',
        checkpointing: true,
        outDir: '/scratch/p/u/hpcbench/runs/R1/out/train/main',
        gpuFields: ['index', 'utilization.gpu'],
        elapsedS: 30,
        timeLimitS: 7200,
        planned: { steps: 500 },
        trainingLog: '/scratch/p/u/hpcbench/runs/R1/out/train/main/train.jsonl',
        inferenceLog: '/scratch/p/u/hpcbench/runs/R1/out/train/main/inference.jsonl',
      },
      {
        experiment: 'infer',
        task: '0',
        jobId: '200_0',
        rawJobId: '201',
        checkpointing: false,
        outDir: '/scratch/p/u/hpcbench/runs/R1/out/infer/0',
        gpuFields: [],
        trainingLog: '/abs/train.jsonl',
        inferenceLog: '/scratch/p/u/hpcbench/runs/R1/out/infer/0/inference.jsonl',
      },
    ]);
  });
});
