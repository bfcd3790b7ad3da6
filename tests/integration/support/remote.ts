// Minimal ssh2 helpers for integration tests: connect with the test cluster's key, verify the
// host key against its known_hosts file, run commands, wait for sacct. Deliberately independent
// of src/transport so the cluster can be proven before (and apart from) the real Transport.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, type SFTPWrapper } from 'ssh2';
import { shellCommand } from '../../../src/shell-quote.js';
import type { TestCluster } from './cluster.js';

export interface RemoteResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command died from a signal. */
  code: number | null;
  signal: string | undefined;
}

/** The host name a known_hosts line uses for host:port. */
export function formatKnownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesHostPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = pattern.split('|');
    if (salt === undefined || hash === undefined) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  return pattern.split(',').includes(name);
}

/** Key blobs that known_hosts pins for host:port (revoked and cert-authority lines ignored). */
function readKnownHostKeys(knownHostsPath: string, host: string, port: number): Buffer[] {
  const name = formatKnownHostsName(host, port);
  const keys: Buffer[] = [];
  for (const line of readFileSync(knownHostsPath, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]?.startsWith('#') || fields[0]?.startsWith('@')) continue;
    const [pattern, , blob] = fields;
    if (pattern !== undefined && blob !== undefined && matchesHostPattern(pattern, name)) {
      keys.push(Buffer.from(blob, 'base64'));
    }
  }
  return keys;
}

function fingerprintKey(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

interface HostVerifier {
  verify: (key: Buffer) => boolean;
  /** Why the last key was refused, for the connection error; undefined if none was. */
  refusal: () => string | undefined;
}

/** A verifier for ssh2's `hostVerifier` that accepts only a key pinned in known_hosts. */
function createHostVerifier(knownHostsPath: string, host: string, port: number): HostVerifier {
  const pinned = readKnownHostKeys(knownHostsPath, host, port);
  const name = formatKnownHostsName(host, port);
  let refusal: string | undefined;
  return {
    verify: (key: Buffer): boolean => {
      if (pinned.some((blob) => blob.equals(key))) return true;
      refusal =
        pinned.length === 0
          ? `host key for ${name} is unknown: ${knownHostsPath} has no entry for it (server offered ${fingerprintKey(key)})`
          : `host key for ${name} does not match ${knownHostsPath}: server offered ${fingerprintKey(key)}, ` +
            `known_hosts pins ${pinned.map(fingerprintKey).join(', ')}`;
      return false;
    },
    refusal: () => refusal,
  };
}

export interface ConnectOptions {
  /** Use another known_hosts file than the cluster's (to test refusals). */
  knownHostsPath?: string;
  readyTimeoutMs?: number;
}

/** Opens one SSH connection as the test user; rejects with the host key refusal if any. */
export function connectToCluster(cluster: TestCluster, options: ConnectOptions = {}): Promise<Client> {
  const knownHostsPath = options.knownHostsPath ?? cluster.knownHostsPath;
  const verifier = createHostVerifier(knownHostsPath, cluster.host, cluster.port);
  const client = new Client();
  return new Promise((resolvePromise, reject) => {
    client
      .once('ready', () => resolvePromise(client))
      .once('error', (error: Error) => {
        client.end();
        const refusal = verifier.refusal();
        reject(new Error(refusal ?? `ssh ${cluster.username}@${cluster.host}:${cluster.port}: ${error.message}`));
      })
      .connect({
        host: cluster.host,
        port: cluster.port,
        username: cluster.username,
        privateKey: readFileSync(cluster.privateKeyPath),
        hostVerifier: verifier.verify,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        agent: undefined,
        tryKeyboard: false,
      });
  });
}

/** Runs one command on an open connection and collects its output. */
export function execRemote(client: Client, command: string): Promise<RemoteResult> {
  return new Promise((resolvePromise, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(error);
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
        code = exitCode;
        signal = exitSignal;
      });
      channel.on('close', () =>
        resolvePromise({
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          code,
          signal,
        }),
      );
    });
  });
}

/** Like execRemote, but a non-zero exit is an error that shows the command and its stderr. */
export async function execRemoteOk(client: Client, command: string): Promise<string> {
  const result = await execRemote(client, command);
  if (result.code !== 0) {
    throw new Error(
      `remote command failed (exit ${String(result.code)}${result.signal ? `, signal ${result.signal}` : ''}): ${command}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Connects, runs fn, always closes. */
export async function withCluster<T>(cluster: TestCluster, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectToCluster(cluster);
  try {
    return await fn(client);
  } finally {
    client.end();
  }
}

/** The states in which a job has ended, as sacct's State column starts ("CANCELLED by 0"). */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'BOOT_FAIL', 'CANCELLED', 'COMPLETED', 'DEADLINE', 'FAILED', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'TIMEOUT',
]);

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `sacct` until the job's allocation reaches a terminal state and returns that state's
 * first word ("CANCELLED by 0" gives "CANCELLED"). Throws with the last seen state on timeout.
 */
export async function waitForJobEnd(client: Client, jobId: string, options: WaitOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const intervalMs = options.intervalMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  // sbatch --parsable prints "id" or "id;cluster".
  const id = /^\d+/.exec(jobId.trim())?.[0];
  if (id === undefined) throw new Error(`waitForJobEnd: "${jobId}" is not a job id (expected digits, as sbatch --parsable prints)`);
  let last = '(no sacct record yet)';
  for (;;) {
    const out = await execRemoteOk(client, `sacct -n -X -P -j ${id} -o State`);
    const state = out.trim().split('\n')[0]?.split(' ')[0] ?? '';
    if (state !== '') last = state;
    if (TERMINAL_STATES.has(state)) return state;
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms; last sacct state: ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Releases a job that requeued itself from SLURM's BeginTime hold (about 2 minutes), so the suite
 * stays short: `scontrol update StartTime=now`, which the job's owner may do, once squeue has
 * shown it PENDING with reason BeginTime for `afterMs`. Not at once: when the requeue ends the
 * previous attempt, slurmd revokes that attempt's credential with one-second resolution and
 * refuses any launch of the same job credentialed in that second or earlier ("Job credential
 * revoked": the new attempt ends FAILED 1:0 with no time run, as in a CI run where the release
 * came 0.4 s after the requeue). SLURM's own hold exists to avoid exactly that; squeue shows
 * PENDING only once the node has finished the previous attempt, so seconds later is safe. The
 * requeue itself is the job script's, untouched. Returns the step to call with each squeue state
 * and reason seen; the job may start between squeue and scontrol (a refused update is harmless).
 */
export function beginTimeReleaser(client: Client, jobId: string, afterMs = 3_000): (state: string, reason: string) => Promise<void> {
  let heldSince: number | undefined;
  return async (state, reason) => {
    if (state !== 'PENDING' || reason !== 'BeginTime') {
      heldSince = undefined;
      return;
    }
    heldSince ??= Date.now();
    if (Date.now() - heldSince >= afterMs) await execRemote(client, shellCommand(['scontrol', 'update', `JobId=${jobId}`, 'StartTime=now']));
  };
}

function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((res, rej) => client.sftp((error, sftp) => (error ? rej(error) : res(sftp))));
}

function writeRemote(sftp: SFTPWrapper, path: string, content: string): Promise<void> {
  return new Promise((res, rej) => sftp.writeFile(path, content, (error) => (error ? rej(error) : res())));
}

/**
 * Writes several renderings (each a run of one experiment) into one remote run directory, with
 * their scripts and task directories, plus `extra` files (path relative to the run directory).
 */
export async function uploadRenderings(
  client: Client,
  runDir: string,
  runs: Iterable<{ directories: readonly string[]; files: ReadonlyMap<string, string> }>,
  extra: Readonly<Record<string, string>> = {},
): Promise<void> {
  const dirs = new Set<string>([`${runDir}/scripts`]);
  const files = new Map<string, string>();
  for (const run of runs) {
    for (const dir of run.directories) dirs.add(`${runDir}/${dir}`);
    for (const [path, text] of run.files) if (path !== 'manifest.json') files.set(path, text);
  }
  for (const [path, text] of Object.entries(extra)) files.set(path, text);
  for (const path of files.keys()) dirs.add(`${runDir}/${path.split('/').slice(0, -1).join('/')}`);
  await execRemoteOk(client, shellCommand(['mkdir', '-p', ...dirs]));
  const sftp = await openSftp(client);
  try {
    for (const [path, text] of files) await writeRemote(sftp, `${runDir}/${path}`, text);
  } finally {
    sftp.end();
  }
}
