// Validation before anything is written (issue 3, point 5): each problem names the config path and
// what is allowed. The first group is checked while the config resolves; the second by preflight.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadConfigText } from '../../../src/config/index.js';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects, FIXTURE_DIR, localConfig } from './helpers.js';

function configErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const render = (experiment: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  configErrors(() => renderRun(configFromObjects(cluster, experiment), 'exp', { runId: 'r' }));

describe('checks made while the config resolves', () => {
  it('unknown partition: names the allowed ones', () => {
    expect(render({ partition: 'gpuu', command: 'true' })).toEqual([expect.stringMatching(/^experiments\.exp\.partition: unknown partition 'gpuu'.*did you mean 'gpu'.*allowed: cpu, gpu/)]);
  });

  it('time over the partition limit: names the limit', () => {
    expect(render({ partition: 'cpu', command: 'true', resources: { time: '02:00:00' } })).toEqual([
      expect.stringMatching(/^experiments\.exp\.resources\.time: partition 'cpu' allows 01:00:00, you asked 02:00:00/),
    ]);
  });

  it('GPUs on a CPU partition, and more GPUs than a node has', () => {
    expect(render({ partition: 'cpu', command: 'true', resources: { gpus: 1 } })).toEqual([expect.stringMatching(/^experiments\.exp\.resources\.gpus: .*CPU partition.*pick a GPU partition: gpu/)]);
    expect(render({ partition: 'gpu', command: 'true', resources: { gpus: 3 } })).toEqual([expect.stringMatching(/^experiments\.exp\.resources\.gpus: .*has 2 GPU\(s\)/)]);
  });

  it('a missing account where the cluster requires one', () => {
    const text = `clusters:\n  sd2: { preset: sdumont-2nd, ssh: sd2 }\nexperiments:\n  exp: { command: "true" }\n`;
    expect(configErrors(() => loadConfigText(text, 'x.yaml', FIXTURE_DIR))).toEqual([expect.stringMatching(/^clusters\.sd2: .*requires an account/)]);
  });

  it('accepts every SLURM time form and rejects a malformed one with the list of forms', () => {
    for (const time of ['30', '30:00', '00:30:00', '0-1', '0-00:30', '0-00:30:00']) {
      expect(renderRun(configFromObjects({}, { partition: 'cpu', command: 'true', resources: { time } }), 'exp', { runId: 'r' }).manifest.jobs).toHaveLength(1);
    }
    expect(render({ partition: 'cpu', command: 'true', resources: { time: '1h' } })).toEqual([
      expect.stringMatching(/^experiments\.exp\.resources\.time: malformed time "1h": expected one of MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS/),
    ]);
  });

  it('a job name SLURM or the shell would mangle', () => {
    expect(render({ partition: 'cpu', command: 'true', job_name: 'my job;rm' })).toEqual([expect.stringMatching(/^experiments\.exp\.job_name: .*letters, digits, '\.', '_' and '-'/)]);
  });
});

describe('preflight checks at render time', () => {
  it('a missing command', () => {
    expect(render({ partition: 'cpu' })).toEqual([expect.stringMatching(/^experiments\.exp\.command: the experiment has no `command`/)]);
  });

  it('an unknown template: names the shipped ones', () => {
    expect(render({ partition: 'cpu', command: 'true', template: 'gpux' })).toEqual([expect.stringMatching(/^experiments\.exp\.template: unknown template 'gpux'.*did you mean 'gpu'.*allowed: cpu, gpu, multinode/)]);
  });

  it('a multi-line command for torchrun', () => {
    expect(render({ partition: 'gpu', template: 'multinode', command: 'a.py\nb.py' })).toEqual([expect.stringMatching(/^experiments\.exp\.command: .*one line/)]);
  });

  it('values that cannot go into an #SBATCH line', () => {
    expect(render({ partition: 'cpu', command: 'true', resources: { constraint: 'a\n#SBATCH --x' } }, { account: 'x"y', qos: 'q#1', extra_directives: ['--mail-type=END', 'nodash'] })).toEqual([
      expect.stringMatching(/^experiments\.exp\.resources\.constraint: .*cannot be written into an #SBATCH line/),
      expect.stringMatching(/^clusters\.local\.account: .*quote/),
      expect.stringMatching(/^clusters\.local\.qos: /),
      expect.stringMatching(/^clusters\.local\.extra_directives\[1\]: "nodash" is not an sbatch option/),
    ]);
  });

  it('parameters that would clobber the job or the shell', () => {
    expect(render({ partition: 'cpu', command: 'true', parameters: { PATH: '/x', HPCBENCH_RUN_ID: 'y', ok: 1 }, sweep: { matrix: { IFS: [1] } } })).toEqual([
      expect.stringMatching(/^experiments\.exp\.parameters\.PATH: 'PATH' is reserved/),
      expect.stringMatching(/^experiments\.exp\.parameters\.HPCBENCH_RUN_ID: .*starts with HPCBENCH_/),
      expect.stringMatching(/^experiments\.exp\.sweep\.matrix\.IFS: 'IFS' is reserved/),
    ]);
  });

  it('sweep values the sweep file cannot hold, and a sweep with every point excluded', () => {
    expect(render({ partition: 'cpu', command: 'true', sweep: { matrix: { a: ['x', 'y\tz', ''] } } })).toEqual([
      expect.stringMatching(/^experiments\.exp\.sweep\.matrix\.a\[1\]: .*tab or newline/),
      expect.stringMatching(/^experiments\.exp\.sweep\.matrix\.a\[2\]: .*empty/),
    ]);
    expect(render({ partition: 'cpu', command: 'true', sweep: { matrix: { a: [1] }, exclude: [{ a: 1 }] } })).toEqual([expect.stringMatching(/^experiments\.exp\.sweep\.exclude: every point/)]);
  });

  it('warns about arrays above SLURM’s default MaxArraySize', () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'echo {a} {b}', sweep: { matrix: { a: Array.from({ length: 40 }, (_, i) => i), b: Array.from({ length: 30 }, (_, i) => i) } } });
    const run = renderRun(config, 'exp', { runId: 'r' });
    expect(run.manifest.jobs[0]?.array?.spec).toBe('0-1199');
    expect(run.warnings).toEqual([expect.stringMatching(/1200 array tasks; SLURM's default MaxArraySize is 1001/)]);
  });

  it('a dependency on another cluster, a bad dataset id, missing or escaping files', () => {
    const text = `clusters:
  a: { preset: generic, transport: local, partitions: { cpu: { kind: cpu } } }
  b: { preset: generic, transport: local, partitions: { cpu: { kind: cpu } } }
experiments:
  first: { cluster: a, command: "true" }
  exp: { cluster: b, command: "true", depends_on: [first], datasets: ["bad id"], files: [nope.txt, ../outside, workloads/] }
`;
    const config = loadConfigText(text, 'x.yaml', FIXTURE_DIR);
    expect(configErrors(() => renderRun(config, 'exp', { runId: 'r' }))).toEqual([
      expect.stringMatching(/^experiments\.exp\.depends_on\[0\]: 'first' runs on cluster 'a' and this experiment on 'b'/),
      expect.stringMatching(/^experiments\.exp\.datasets\[0\]: 'bad id' is not a Hugging Face id/),
      expect.stringMatching(/^experiments\.exp\.files\[0\]: 'nope\.txt' does not exist/),
      expect.stringMatching(/^experiments\.exp\.files\[1\]: '\.\.\/outside' leaves the project directory/),
    ]);
  });

  it('reports every problem at once and names the config file', () => {
    try {
      renderRun(localConfig('partition: cpu\nparameters: { PATH: x }'), 'exp', { runId: 'r' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toHaveLength(2);
      expect((error as ConfigError).message).toMatch(/^invalid configuration \(2 problems\):\n {2}inline\.yaml:\d+:\d+: experiments\.exp\.command/);
    }
  });
});
