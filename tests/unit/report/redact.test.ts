import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isSecretKey, listSecretNames, REDACTED, redactText } from '../../../src/report/redact.js';
import { redactMetricsDocument } from '../../../src/report/redact-report.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';
import { redactYamlText } from '../../../src/report/redact-yaml.js';

describe('isSecretKey', () => {
  it.each([
    'HF_TOKEN',
    'HUGGING_FACE_HUB_TOKEN',
    'WANDB_API_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'MYSQL_PASSWD',
    'db_password',
    'apiKey',
    'APIKey',
    'hfToken',
    'hftoken',
    'clientsecret',
    'use_auth_token',
    'Authorization',
    'token',
    'key',
    '--api-key',
    'ssh_passphrase',
  ])('%s is a secret', (name) => {
    expect(isSecretKey(name)).toBe(true);
  });

  it.each([
    'KEYBOARD',
    'keyboard_layout',
    'MONKEY',
    'AUTHOR',
    'author_email',
    'max_new_tokens',
    'maxTokens',
    'output_tokens_per_s',
    'num_key_value_heads',
    'pad_token',
    'eos_token_id',
    'time_per_output_token',
    'tokenizer',
    'token_budget',
    'PWD',
    'HF_HOME',
    'CUDA_VISIBLE_DEVICES',
    'batch_size',
    'passthrough',
  ])('%s is not a secret', (name) => {
    expect(isSecretKey(name)).toBe(false);
  });
});

describe('redactText', () => {
  it('hides secret assignments, flags and JSON pairs, and nothing else', () => {
    const script = [
      "export HF_TOKEN='hf_abc'",
      'export WANDB_API_KEY="w a n d b"',
      'HF_TOKEN=hf_x python serve.py --api-key sk-123 --max-new-tokens 64 --hf_token=zz',
      '#SBATCH --export=ALL,AWS_SECRET_ACCESS_KEY=aws1,FOO=bar',
      `export HPCBENCH_PARAMS_JSON='{"batch": 8, "hf_token": "s3cr3t"}'`,
      'export BATCH=8 MODEL=gpt2',
      'curl "https://h/x?token=abc&y=1"',
    ].join('\n');
    expect(redactText(script)).toBe(
      [
        `export HF_TOKEN=${REDACTED}`,
        `export WANDB_API_KEY=${REDACTED}`,
        `HF_TOKEN=${REDACTED} python serve.py --api-key ${REDACTED} --max-new-tokens 64 --hf_token=${REDACTED}`,
        `#SBATCH --export=ALL,AWS_SECRET_ACCESS_KEY=${REDACTED}`,
        `export HPCBENCH_PARAMS_JSON='{"batch": 8, "hf_token": "${REDACTED}"}'`,
        'export BATCH=8 MODEL=gpt2',
        `curl "https://h/x?token=${REDACTED}&y=1"`,
      ].join('\n'),
    );
  });

  it('a hostile chain of assignments neither overflows the stack nor hangs', () => {
    expect(redactText(`${'a='.repeat(200_000)}x`)).toHaveLength(400_001);
    expect(redactText(`${'HF_TOKEN=a'.repeat(20_000)} end`)).toBe(`HF_TOKEN=${REDACTED} end`);
    expect(redactText(`x=${'"'.repeat(100_001)}`)).toHaveLength(100_003);
  });

  it('is idempotent', () => {
    const once = redactText("export HF_TOKEN='a b' --api-key k");
    expect(redactText(once)).toBe(once);
  });

  it('names what it hides, for config check', () => {
    expect(listSecretNames('export HF_TOKEN=x; sbatch --export=ALL,WANDB_API_KEY=y run --api-key z --batch 8')).toEqual(['HF_TOKEN', 'WANDB_API_KEY', '--api-key']);
    expect(listSecretNames('module load cuda/12; export HF_HOME=/scratch')).toEqual([]);
    // Reading the secret on the cluster is what config check recommends: nothing to warn about.
    expect(listSecretNames('export HF_TOKEN=$(cat ~/.hf_token); export WANDB_API_KEY="${WANDB_KEY}"; run --api-key "$KEY"')).toEqual([]);
  });

  it('never leaves a token value in an assignment, whatever the quoting (property)', () => {
    const secretName = fc.constantFrom('HF_TOKEN', 'WANDB_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'apiKey');
    const value = fc.stringMatching(/^[A-Za-z0-9_./+-]{8,40}$/);
    const quoting = fc.constantFrom((v: string) => v, (v: string) => `'${v}'`, (v: string) => `"${v}"`, (v: string) => `$'${v}'`);
    const prefix = fc.constantFrom('', 'export ', 'local ', '#SBATCH --export=ALL,', 'env ');
    fc.assert(
      fc.property(secretName, value, quoting, prefix, (name, v, quote, before) => {
        const out = redactText(`${before}${name}=${quote(v)} && echo done`);
        expect(out).not.toContain(v);
        expect(out).toContain(REDACTED);
        expect(out).toContain('&& echo done');
      }),
    );
  });
});

describe('job metadata in a report', () => {
  it('replaces values under secret keys (nested too) and scans other strings', () => {
    const metadata = {
      hostname: 'sdumont1',
      env: { HF_TOKEN: 'hf_abc', HF_HOME: '/scratch/hf', nested: { api_key: 42 } },
      credentials: { user: 'me', pass: 'pw' },
      command: 'WANDB_API_KEY=w python train.py',
    };
    const task = emptyTask('infer', 'main');
    task.metadata = metadata;
    const [redacted] = redactMetricsDocument(emptyDoc('20261124-061500-infer-3f2a', ['infer'], [task])).tasks;
    expect(redacted?.metadata).toEqual({
      hostname: 'sdumont1',
      env: { HF_TOKEN: REDACTED, HF_HOME: '/scratch/hf', nested: { api_key: REDACTED } },
      credentials: { user: REDACTED, pass: REDACTED },
      command: `WANDB_API_KEY=${REDACTED} python train.py`,
    });
  });
});

describe('redactYamlText', () => {
  const config = [
    '# project config',
    'clusters:',
    '  sd:',
    '    env:',
    '      HF_TOKEN: hf_cluster_secret # do not share',
    '      HF_HOME: /scratch/hf',
    'experiments:',
    '  infer:',
    '    setup:',
    '      - export WANDB_API_KEY=wandb_setup_secret',
    '    env: {API_KEY: "flow_secret", BATCH: 8}',
    '    parameters:',
    '      hf_token: |',
    '        block_secret_line1',
    '        block_secret_line2',
    '      max_new_tokens: 64',
    '    anchors:',
    '      shared: &tok anchored_secret',
    '      GH_TOKEN: *tok',
    '',
  ].join('\n');

  it('hides every secret value, keeps comments, layout and the other values', () => {
    const out = redactYamlText(config);
    for (const secret of ['hf_cluster_secret', 'wandb_setup_secret', 'flow_secret', 'block_secret_line1', 'block_secret_line2', 'anchored_secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('# project config');
    expect(out).toContain('# do not share');
    expect(out).toContain('HF_HOME: /scratch/hf');
    const parsed = parse(out) as { clusters: { sd: { env: Record<string, string> } }; experiments: { infer: Record<string, unknown> } };
    expect(parsed.clusters.sd.env).toEqual({ HF_TOKEN: REDACTED, HF_HOME: '/scratch/hf' });
    expect(parsed.experiments.infer.env).toEqual({ API_KEY: REDACTED, BATCH: 8 });
    expect(parsed.experiments.infer.parameters).toEqual({ hf_token: REDACTED, max_new_tokens: 64 });
    expect(parsed.experiments.infer.setup).toEqual([`export WANDB_API_KEY=${REDACTED}`]);
  });

  it('a file that does not parse is redacted line by line, nested values included', () => {
    const out = redactYamlText('env: [\n  HF_TOKEN: broken_secret\n  password:\n    - nested_secret\nok: 1\n');
    expect(out).not.toContain('broken_secret');
    expect(out).not.toContain('nested_secret');
    expect(out).toContain('ok: 1');
  });

  it('never leaves an env value of a secret key, whatever its YAML style (property)', () => {
    const name = fc.constantFrom('HF_TOKEN', 'WANDB_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'password', 'apiKey');
    const value = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_./+-]{7,39}$/);
    const style = fc.constantFrom(
      (k: string, v: string) => `env:\n  ${k}: ${v}\n`,
      (k: string, v: string) => `env:\n  ${k}: "${v}"\n`,
      (k: string, v: string) => `env:\n  ${k}: '${v}'\n`,
      (k: string, v: string) => `env: {${k}: ${v}}\n`,
      (k: string, v: string) => `env:\n  ${k}: >-\n    ${v}\n`,
      (k: string, v: string) => `env:\n  "${k}": ${v} # comment\n`,
    );
    fc.assert(
      fc.property(name, value, style, (k, v, write) => {
        expect(redactYamlText(write(k, v))).not.toContain(v);
      }),
    );
  });
});
