// SSH as computing centres have it, against the real test cluster: a workdir written with `~`
// (resolved on the cluster, created when missing), the cluster's `user:` as the login, and
// password / keyboard-interactive logins. The running cluster's sshd is never touched: the
// password logins go to a second sshd of our own (same OpenSSH binary) on free local ports, with
// its own config and host key, for a dedicated local user whose password the test sets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors.js';
import { readRunRecord, resolveRunId } from '../../src/runs/index.js';
import { RemoteHomeResolver } from '../../src/runs/remote-paths.js';
import type { SecretPrompt } from '../../src/transport/ssh-auth-prompt.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { resolveSshSettings } from '../../src/transport/ssh-target.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { describeCluster } from './support/cluster.js';
import { connectToCluster, execRemote, execRemoteOk } from './support/remote.js';

const TILDE_DIR = 'hpcb-tilde-test';

describeCluster('a workdir under ~ and the cluster user as login, on the test cluster', (cluster) => {
  let client: Client;
  let home: string;
  let project: string;
  let literalTildeBefore: boolean;

  beforeAll(async () => {
    process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
    client = await connectToCluster(cluster);
    home = await execRemoteOk(client, `printf '%s' "$HOME"`);
    await execRemoteOk(client, `rm -rf -- "$HOME/${TILDE_DIR}"`);
    literalTildeBefore = (await execRemote(client, `test -e "$HOME/~"`)).code === 0;
    project = mkdtempSync(join(tmpdir(), 'hpcbench-tilde-'));
    // An empty ssh config: the login can only come from the cluster's `user:` (not ~/.ssh/config).
    writeFileSync(join(project, 'ssh_config'), '');
    writeFileSync(
      join(project, 'hpcbench.yaml'),
      [
        'version: 1',
        'clusters:',
        '  test:',
        '    preset: generic',
        `    user: ${JSON.stringify(cluster.username)}`,
        '    ssh:',
        `      host: ${JSON.stringify(cluster.host)}`,
        `      port: ${cluster.port}`,
        `      identity_file: ${JSON.stringify(cluster.privateKeyPath)}`,
        `      known_hosts: ${JSON.stringify(cluster.knownHostsPath)}`,
        '      ssh_config: ssh_config',
        `    workdir: "~/${TILDE_DIR}/work"`,
        ...(cluster.account ? [`    account: ${JSON.stringify(cluster.account)}`] : []),
        '    partitions:',
        '      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 16G, max_time: "12:00:00", shared: true }',
        'experiments:',
        '  where:',
        '    cluster: test',
        '    partition: cpu',
        '    command: pwd > "$HPCBENCH_OUT_DIR/pwd.txt"',
        '    resources: { time: "00:05:00", cpus_per_task: 1 }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    delete process.env.HPCBENCH_TEST_POLL_FLOOR_MS;
    if (client) {
      await execRemote(client, `rm -rf -- "$HOME/${TILDE_DIR}"`);
      client.end();
    }
  });

  it('creates the workdir, runs the job there and fetches it back, never making a literal ~ directory', async () => {
    const workdir = `${home}/${TILDE_DIR}/work`;
    const results = join(project, 'results');
    const submitted = await cli(['submit', 'where', '--config', join(project, 'hpcbench.yaml'), '--results', results]);
    expect(submitted.stderr).toContain(`created ${workdir} (mkdir -p -m 700)`);
    expect(submitted.code).toBe(0);
    const runId = await resolveRunId(results, submitted.stdout.trim());
    const record = await readRunRecord(results, runId);
    expect(record.remote_dir).toBe(`${workdir}/${runId}`);
    expect(record.cluster.workdir).toBe(workdir);
    // The cluster's user: was the login (nothing else named one) and is kept for later commands.
    expect(record.cluster.ssh?.user).toBe(cluster.username);

    const jobId = record.jobs[0]?.job_id ?? '';
    const shown = await execRemoteOk(client, `scontrol show job -o ${jobId}`);
    expect(shown).toContain(`WorkDir=${workdir}/${runId}`);
    expect((await execRemote(client, `test -f '${workdir}/${runId}/manifest.json' && stat -c %a '${workdir}'`)).stdout.trim()).toBe('700');

    const watched = await cli(['watch', runId, '--results', results]);
    expect(watched.code).toBe(0);
    const fetched = await cli(['fetch', runId, '--results', results]);
    expect(fetched.code).toBe(0);
    expect(readFileSync(join(results, runId, 'out', 'where', 'main', 'pwd.txt'), 'utf8').trim()).toBe(`${workdir}/${runId}`);

    if (literalTildeBefore) {
      // Someone else's literal ~ was there already: at least nothing of ours went into it.
      expect((await execRemote(client, `test -e "$HOME/~/${TILDE_DIR}"`)).code).not.toBe(0);
    } else {
      expect((await execRemote(client, `test -e "$HOME/~"`)).code).not.toBe(0);
    }
  });
});

const PW_USER = 'hpcbpw';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)}): ${result.stderr}`);
  return result.stdout;
}

/** Answers from a list, recording each question, as a person at the terminal would. */
function scripted(answers: string[]): { ask: SecretPrompt; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    ask: async (prompt) => {
      asked.push(prompt);
      const answer = answers.shift();
      if (answer === undefined) throw new RemoteError('no more answers');
      return answer;
    },
  };
}

describeCluster('password and keyboard-interactive logins through a second sshd of our own', () => {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  let dir: string;
  let sshd: ChildProcess | undefined;
  let ports: { password: number; keyboard: number; twoFactor: number };
  let userKey: string;

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this suite starts its own sshd and sets a test user\'s password: run it as root (as .ci/run does)');
    dir = mkdtempSync(join(tmpdir(), 'hpcbench-pw-sshd-'));
    if (spawnSync('id', [PW_USER]).status !== 0) run('useradd', ['-m', '-s', '/bin/bash', PW_USER]);
    run('chpasswd', [], `${PW_USER}:${password}\n`);
    const userHome = run('getent', ['passwd', PW_USER]).split(':')[5] ?? '';
    userKey = join(dir, 'id_user');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hpcbench-test', '-f', userKey]);
    run('install', ['-d', '-m', '700', '-o', PW_USER, '-g', PW_USER, join(userHome, '.ssh')]);
    run('install', ['-m', '600', '-o', PW_USER, '-g', PW_USER, `${userKey}.pub`, join(userHome, '.ssh', 'authorized_keys')]);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    ports = { password: await freePort(), keyboard: await freePort(), twoFactor: await freePort() };
    // Keyboard-interactive on Linux goes through PAM (without it sshd has no kbd device), so
    // UsePAM is on; Match LocalPort gives each port one way in.
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        ...Object.values(ports).map((p) => `ListenAddress 127.0.0.1:${p}`),
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'UsePAM yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication yes',
        'PubkeyAuthentication yes',
        `AllowUsers ${PW_USER}`,
        'MaxAuthTries 10',
        `Match LocalPort ${ports.password}`,
        '  AuthenticationMethods password',
        `Match LocalPort ${ports.keyboard}`,
        '  AuthenticationMethods keyboard-interactive',
        `Match LocalPort ${ports.twoFactor}`,
        '  AuthenticationMethods publickey,keyboard-interactive',
        '',
      ].join('\n'),
    );
    const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(join(dir, 'known_hosts'), Object.values(ports).map((p) => `[127.0.0.1]:${p} ${hostKey}\n`).join(''));
    writeFileSync(join(dir, 'ssh_config'), '');
    run('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')]);
    const child = spawn('/usr/sbin/sshd', ['-f', join(dir, 'sshd_config'), '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`our sshd did not start listening: ${log}`)), 15_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (Object.values(ports).every((p) => log.includes(`port ${p}.`))) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`our sshd exited (${String(code)}): ${log}`)));
    });
  }, 60_000);

  afterAll(() => {
    // Only the sshd this suite started, by its own handle; the test user's password is locked again.
    sshd?.kill('SIGTERM');
    spawnSync('passwd', ['-l', PW_USER], { stdio: 'ignore' });
    if (dir && existsSync(dir) && statSync(dir).isDirectory()) rmSync(dir, { recursive: true, force: true });
  });

  function transportFor(port: number, options: { ask?: SecretPrompt; interactive: boolean; key?: boolean }): SshTransport {
    const target = resolveSshSettings(
      {
        host: '127.0.0.1',
        port,
        user: PW_USER,
        known_hosts: join(dir, 'known_hosts'),
        ssh_config: join(dir, 'ssh_config'),
        // Without a key of its own, an explicit path that does not exist: root's keys stay out of it.
        identity_file: options.key === true ? userKey : join(dir, 'no-such-key'),
      },
      { homeDir: dir },
    );
    return new SshTransport(target, { agent: false, interactive: options.interactive, ...(options.ask ? { promptSecret: options.ask } : {}), reconnect: { attempts: 0 } });
  }

  async function whoAmI(transport: SshTransport): Promise<string> {
    try {
      return (await transport.exec(['whoami'])).stdout.trim();
    } finally {
      await transport.close();
    }
  }

  it('logs in by password, asked on the terminal after a wrong first answer', async () => {
    const { ask, asked } = scripted(['not-the-password', password]);
    const transport = transportFor(ports.password, { ask, interactive: true });
    expect(await new RemoteHomeResolver(transport).resolve('~')).toMatch(new RegExp(`/${PW_USER}$`));
    expect(await whoAmI(transport)).toBe(PW_USER);
    expect(asked).toEqual([`${PW_USER}@127.0.0.1's password: `, `${PW_USER}@127.0.0.1's password: `]);
  });

  it('logs in by keyboard-interactive, showing the server\'s own prompt', async () => {
    const { ask, asked } = scripted([password]);
    expect(await whoAmI(transportFor(ports.keyboard, { ask, interactive: true }))).toBe(PW_USER);
    expect(asked).toEqual(['Password: ']);
  });

  it('logs in with a key and then a typed code when the server asks for both', async () => {
    const { ask, asked } = scripted([password]);
    expect(await whoAmI(transportFor(ports.twoFactor, { ask, interactive: true, key: true }))).toBe(PW_USER);
    expect(asked).toEqual(['Password: ']);
  });

  it('without a terminal, says the server wants a password or code, and asks nothing', async () => {
    const { ask, asked } = scripted([password]);
    const error = await whoAmI(transportFor(ports.keyboard, { ask, interactive: false })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toMatch(new RegExp(`${PW_USER}@127\\.0\\.0\\.1:${ports.keyboard} wants a password or one-time code \\(keyboard-interactive\\), but standard input is not a terminal`));
    expect((error as RemoteError).hint).toMatch(/run the command in a terminal/);
    expect(asked).toEqual([]);
    expect(readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(password))).toBe(false);
  });
});
