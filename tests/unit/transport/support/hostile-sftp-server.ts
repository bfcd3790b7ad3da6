// A fake SFTP server (ssh2's Server, real protocol) on 127.0.0.1 that serves an in-memory tree
// and says whatever the test tells it to: directory entries named `../../x`, `a/b`, `..`, with
// `\` or NUL, symbolic links to outside the run and to themselves, sizes far beyond what it holds,
// and a readdir that calls a link a regular file. It records which paths were opened for reading.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Attributes, type ParsedKey, type SFTPWrapper } from 'ssh2';

export type FakeNode =
  | { kind: 'dir'; entries: Record<string, FakeNode> }
  /** `size` is what the server claims; the content is what it sends. */
  | { kind: 'file'; content: string; size?: number }
  /** `listedAsFile`: readdir describes the link as a regular file (LSTAT still tells the truth). */
  | { kind: 'link'; target: string; listedAsFile?: boolean };

export const dir = (entries: Record<string, FakeNode>): FakeNode => ({ kind: 'dir', entries });
export const file = (content: string, size?: number): FakeNode => ({ kind: 'file', content, ...(size === undefined ? {} : { size }) });
export const link = (target: string, listedAsFile = false): FakeNode => ({ kind: 'link', target, listedAsFile });

export interface HostileSftpServer {
  port: number;
  clientKeyPath: string;
  knownHostsPath: string;
  /** The `ssh:` settings of a cluster on this server, isolated from the user's ~/.ssh/config. */
  ssh: { host: string; port: number; user: string; identity_file: string; known_hosts: string; ssh_config: string };
  /** Paths the client opened for reading, as it sent them. */
  readonly opened: string[];
  stop(): Promise<void>;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const { STATUS_CODE } = utils.sftp;

function parse(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

function attrsOf(node: FakeNode, inListing: boolean): Attributes {
  const base = { uid: 1000, gid: 1000, atime: 1_764_000_000, mtime: 1_764_000_000 };
  switch (node.kind) {
    case 'dir':
      return { ...base, mode: S_IFDIR | 0o755, size: 4096 };
    case 'file':
      return { ...base, mode: S_IFREG | 0o644, size: node.size ?? Buffer.byteLength(node.content) };
    case 'link':
      return { ...base, mode: (inListing && node.listedAsFile === true ? S_IFREG : S_IFLNK) | 0o777, size: node.target.length };
  }
}

/** Walks `path` from the root; links are followed (up to 40, like Linux) unless `noFollowLast`. */
function lookup(root: FakeNode, path: string, noFollowLast: boolean, hops = 0): FakeNode | 'loop' | undefined {
  if (hops > 40) return 'loop';
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  let node: FakeNode = root;
  let here = '';
  for (const [i, part] of parts.entries()) {
    if (node.kind !== 'dir') return undefined;
    const next: FakeNode | undefined = Object.hasOwn(node.entries, part) ? node.entries[part] : undefined;
    if (next === undefined) return undefined;
    const last = i === parts.length - 1;
    if (next.kind === 'link' && !(last && noFollowLast)) {
      const target = next.target.startsWith('/') ? next.target : `${here}/${next.target}`;
      const rest = parts.slice(i + 1).join('/');
      return lookup(root, rest === '' ? target : `${target}/${rest}`, noFollowLast, hops + 1);
    }
    node = next;
    here = `${here}/${part}`;
  }
  return node;
}

function serveSftp(sftp: SFTPWrapper, root: FakeNode, opened: string[]): void {
  const handles = new Map<string, { kind: 'dir'; node: FakeNode; listed: boolean } | { kind: 'file'; content: Buffer }>();
  let next = 0;
  const newHandle = (value: Parameters<typeof handles.set>[1]): Buffer => {
    const id = String(next++);
    handles.set(id, value);
    return Buffer.from(id);
  };
  const answerStat = (reqid: number, path: string, noFollow: boolean): void => {
    const node = lookup(root, path, noFollow);
    if (node === 'loop') sftp.status(reqid, STATUS_CODE.FAILURE, 'Too many levels of symbolic links');
    else if (node === undefined) sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    else sftp.attrs(reqid, attrsOf(node, false));
  };
  sftp.on('REALPATH', (reqid, path) => sftp.name(reqid, [{ filename: path === '.' ? '/' : path, longname: '', attrs: {} as Attributes }]));
  sftp.on('STAT', (reqid, path) => answerStat(reqid, path, false));
  sftp.on('LSTAT', (reqid, path) => answerStat(reqid, path, true));
  sftp.on('OPENDIR', (reqid, path) => {
    const node = lookup(root, path, false);
    if (node === undefined || node === 'loop' || node.kind !== 'dir') sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'Not a directory');
    else sftp.handle(reqid, newHandle({ kind: 'dir', node, listed: false }));
  });
  sftp.on('READDIR', (reqid, handle) => {
    const h = handles.get(handle.toString());
    if (h?.kind !== 'dir' || h.node.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (h.listed) return sftp.status(reqid, STATUS_CODE.EOF);
    h.listed = true;
    const entries = h.node.entries;
    // The usual self and parent entries first, unless the test put its own under those names.
    const usual = ['.', '..'].filter((n) => !Object.hasOwn(entries, n)).map((filename) => ({ filename, longname: filename, attrs: attrsOf(dir({}), true) }));
    const names = [...usual, ...Object.entries(entries).map(([filename, node]) => ({ filename, longname: filename, attrs: attrsOf(node, true) }))];
    return sftp.name(reqid, names);
  });
  sftp.on('OPEN', (reqid, path) => {
    opened.push(path);
    const node = lookup(root, path, false);
    if (node === undefined || node === 'loop' || node.kind !== 'file') sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    else sftp.handle(reqid, newHandle({ kind: 'file', content: Buffer.from(node.content) }));
  });
  sftp.on('FSTAT', (reqid, handle) => {
    const h = handles.get(handle.toString());
    if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    return sftp.attrs(reqid, { mode: S_IFREG | 0o644, uid: 1000, gid: 1000, size: h.content.length, atime: 1_764_000_000, mtime: 1_764_000_000 });
  });
  sftp.on('READ', (reqid, handle, offset, length) => {
    const h = handles.get(handle.toString());
    if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    if (offset >= h.content.length) return sftp.status(reqid, STATUS_CODE.EOF);
    return sftp.data(reqid, h.content.subarray(offset, offset + length));
  });
  sftp.on('CLOSE', (reqid, handle) => {
    handles.delete(handle.toString());
    sftp.status(reqid, STATUS_CODE.OK);
  });
}

export async function startHostileSftpServer(root: FakeNode): Promise<HostileSftpServer> {
  const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-hostile-sftp-'));
  const hostKeys = utils.generateKeyPairSync('ed25519');
  const clientKeys = utils.generateKeyPairSync('ed25519');
  const clientKeyPath = join(tmp, 'id_ed25519');
  writeFileSync(clientKeyPath, clientKeys.private, { mode: 0o600 });
  const opened: string[] = [];
  const sockets = new Set<Socket>();
  const server = new Server({ hostKeys: [hostKeys.private] }, (client) => {
    client.on('error', () => undefined);
    // A hostile server has no reason to be picky about who logs in.
    client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), root, opened));
      });
    });
  });
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    server.injectSocket(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as AddressInfo).port));
  });
  const knownHostsPath = join(tmp, 'known_hosts');
  writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ssh-ed25519 ${parse(hostKeys.public).getPublicSSH().toString('base64')}\n`);
  const sshConfig = join(tmp, 'ssh_config');
  writeFileSync(sshConfig, '');
  return {
    port,
    clientKeyPath,
    knownHostsPath,
    ssh: { host: '127.0.0.1', port, user: 'u', identity_file: clientKeyPath, known_hosts: knownHostsPath, ssh_config: sshConfig },
    opened,
    stop() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => tcp.close(() => resolve()));
    },
  };
}
