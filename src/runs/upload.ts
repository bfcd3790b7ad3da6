/**
 * Uploading a rendered run: the run directory (scripts, manifest, copied workload files) by
 * SFTP, and the out/<experiment>/<task> directories the jobs write into.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { RemoteError, UsageError } from '../errors.js';
import { uploadMode } from '../render/file-modes.js';
import type { Transport } from '../transport/transport.js';
import { taskNames, type SubmitManifest } from './manifest-file.js';
import { LOCK_FILE, LOCK_TAKEOVER_FILE } from './lock.js';
import { RUN_FILE } from './registry.js';

/** Regular files below `root` (relative paths), leaving out `skip` and partial downloads. */
async function listLocalFiles(root: string, skip: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full);
      if (skip.has(rel)) continue;
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isFile() && !entry.name.includes('.tmp-') && !entry.name.endsWith('.part')) {
        out.push(rel);
      }
    }
  };
  await walk(root);
  return out.sort();
}

function toPosix(rel: string): string {
  return rel.split(sep).join('/');
}

/** Uploads the run directory (scripts, manifest, files) and creates the out/ task directories. */
export async function uploadRun(
  transport: Transport,
  runDir: string,
  remoteDir: string,
  manifest: SubmitManifest,
  configRoot: string,
): Promise<number> {
  const uploads = (await listLocalFiles(runDir, new Set(['out', RUN_FILE, LOCK_FILE, LOCK_TAKEOVER_FILE]))).map((rel) => ({ local: join(runDir, rel), remote: posix.join(remoteDir, toPosix(rel)) }));
  const have = new Set(uploads.map((u) => u.remote));
  const add = (local: string, remote: string): void => {
    if (have.has(remote)) return;
    have.add(remote);
    uploads.push({ local, remote });
  };
  for (const f of manifest.files) {
    const remote = posix.join(remoteDir, f.path);
    const local = isAbsolute(f.local) ? f.local : resolve(configRoot, f.local);
    if (!existsSync(local)) {
      if (have.has(remote)) continue;
      throw new UsageError(`workload file ${f.local} (listed in manifest.json as ${f.path}) does not exist`, 'Fix `files:` in hpcbench.yaml and render again.');
    }
    // `files: [workloads/]` names a folder: everything in it goes, in the same layout.
    if (statSync(local).isDirectory()) {
      for (const rel of await listLocalFiles(local)) add(join(local, rel), posix.join(remote, toPosix(rel)));
    } else {
      add(local, remote);
    }
  }
  // SLURM does not create the directories of --output/--error: a job whose log directory is
  // missing fails at once without a log. One mkdir for every directory needed.
  const dirs = new Set<string>([remoteDir]);
  for (const u of uploads) dirs.add(posix.dirname(u.remote));
  for (const job of manifest.jobs) for (const task of taskNames(job)) dirs.add(posix.join(remoteDir, job.out_dir, task));
  // -m applies to each directory named (all of them are): the run's scripts can hold secrets.
  const made = await transport.exec(['mkdir', '-p', '-m', '700', '--', ...[...dirs].sort()]);
  if (made.code !== 0) {
    throw new RemoteError(`cannot create the run directory ${remoteDir} on ${transport.target}: ${made.stderr.trim()}`, {
      hint: 'check the work directory and the quota (`quota -s` or `lfs quota`)',
    });
  }
  for (const u of uploads) {
    // A local cluster whose workdir is the results directory already holds the files.
    if (transport.kind === 'local' && resolve(u.local) === resolve(u.remote)) continue;
    // An explicit mode for every file: without one the cluster's umask decides, and scripts
    // carrying `env:` tokens would be readable by every user of the login node.
    await transport.upload(u.local, u.remote, { mode: uploadMode(u.remote, statSync(u.local).mode) });
  }
  return uploads.length;
}
