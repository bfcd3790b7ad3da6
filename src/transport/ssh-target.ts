/**
 * Turn what the user typed (`sdumont`, `alice@login.example:2222`) into everything needed to
 * connect, the way `ssh` would: ~/.ssh/config Host sections (first value wins), tokens, `~`,
 * ProxyJump chains. The `ssh-config` package does the parsing and Host matching.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import SSHConfig from 'ssh-config';
import { ConfigError } from '../errors.js';
import { matchGlob } from './known-hosts.js';

export interface SshTarget {
  /** What was asked for (alias or user@host:port). */
  alias: string;
  host: string;
  port: number;
  username: string;
  /**
   * Where the login name came from, in ssh's order and then hpcbench's: `target` (ssh.user or
   * user@ in the host), `ssh-config` (User), `cluster` (the cluster's `user:`), `local`.
   */
  usernameFrom?: 'target' | 'ssh-config' | 'cluster' | 'local';
  /** Key files to try, expanded; explicit ones from the config, else the OpenSSH defaults. */
  identityFiles: string[];
  /** True when identityFiles came from the config (then they must exist). */
  identityFilesExplicit: boolean;
  /** IdentitiesOnly yes: do not offer agent keys. */
  identitiesOnly: boolean;
  /** Hops to go through, first hop first; each hop already resolved. */
  proxyJump: SshTarget[];
  /** The user's known_hosts files: read for verification; the first one receives pinned keys. */
  knownHostsFiles: string[];
  /**
   * System-wide known_hosts files (GlobalKnownHostsFile, by default /etc/ssh/ssh_known_hosts and
   * ssh_known_hosts2): read for verification like OpenSSH does, never written.
   */
  globalKnownHostsFiles: string[];
  /** HostKeyAlias: the name to look up in known_hosts instead of the host. */
  hostKeyAlias?: string;
  /** ServerAliveInterval in ms, when the config sets one. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** ConnectTimeout in ms, when the config sets one. */
  connectTimeoutMs?: number;
  /** StrictHostKeyChecking accept-new (or no): pin first-seen keys; a changed key is still refused. */
  acceptNewHostKey?: boolean;
  /** HashKnownHosts yes: pinned names are written hashed. */
  hashKnownHosts?: boolean;
}

export interface ResolveSshTargetOptions {
  /** Default ~/.ssh/config; a missing default file means no configuration. */
  configPath?: string;
  /** Config text to use instead of reading a file (tests). */
  configText?: string;
  homeDir?: string;
  localUser?: string;
  /** System-wide known_hosts files when the config names none (tests point this away from /etc/ssh). */
  globalKnownHostsFiles?: readonly string[];
  /**
   * The login when neither the target nor ~/.ssh/config names one (the cluster's `user:` in
   * hpcbench.yaml), before the local user name. Not used for jump hosts.
   */
  fallbackUser?: string;
}

/** OpenSSH's default GlobalKnownHostsFile. */
const DEFAULT_GLOBAL_KNOWN_HOSTS_FILES: readonly string[] = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const MAX_JUMP_DEPTH = 8;

interface ParsedSpec {
  host: string;
  user?: string;
  port?: number;
}

/** `[ssh://][user@]host[:port]`, with `[v6addr]:port` for IPv6. */
function parseTargetSpec(spec: string, where = 'target'): ParsedSpec {
  let rest = spec.trim().replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host = '', portText] = rest.split(':');
  }
  if (host === '' || (user !== undefined && user === '')) {
    throw new ConfigError([{ path: where, message: `cannot read SSH target "${spec}"; expected [user@]host[:port]` }]);
  }
  const parsed: ParsedSpec = { host };
  if (user !== undefined) parsed.user = user;
  if (portText !== undefined) parsed.port = parsePort(portText, where, spec);
  return parsed;
}

function parsePort(text: string, where: string, context: string, file?: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    const issue = { path: where, message: `port "${text}" in "${context}" is not a number from 1 to 65535` };
    throw new ConfigError([file === undefined ? issue : { ...issue, file }]);
  }
  return port;
}

interface TokenContext {
  host: string;
  originalHost: string;
  port: number;
  remoteUser: string;
  localUser: string;
  homeDir: string;
}

/** Expand `%` tokens (ssh_config(5) TOKENS) and a leading `~`. */
function expandPath(value: string, ctx: TokenContext, where: { file: string; field: string }): string {
  const expanded = value.replace(/%(.)/g, (_match, token: string) => {
    switch (token) {
      case '%': return '%';
      case 'h': return ctx.host;
      case 'n': return ctx.originalHost;
      case 'p': return String(ctx.port);
      case 'r': return ctx.remoteUser;
      case 'u': return ctx.localUser;
      case 'd': return ctx.homeDir;
      case 'l': return localHostname();
      case 'L': return localHostname().split('.')[0] ?? '';
      default:
        throw new ConfigError([
          { path: where.field, file: where.file, message: `unsupported token %${token} in "${value}"; use %h %n %p %r %u %d %l %L or %%` },
        ]);
    }
  });
  if (expanded === '~') return ctx.homeDir;
  if (expanded.startsWith('~/')) return join(ctx.homeDir, expanded.slice(2));
  return expanded;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Inline `Include` files (ssh-config leaves them alone). Relative paths are relative to ~/.ssh,
 * `*` and `?` may appear in the last path component. Inlining is exact for an Include at top
 * level or at the end of a Host block, which is how it is used in practice.
 */
function inlineIncludes(text: string, homeDir: string, depth = 0): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^\s*include\s*[=\s]\s*(.+?)\s*$/i.exec(line);
      if (!match || depth >= MAX_INCLUDE_DEPTH) return line;
      const files = (match[1] ?? '').split(/\s+/).flatMap((pattern) => expandInclude(pattern.replace(/^"|"$/g, ''), homeDir));
      return files.map((f) => inlineIncludes(readFileSync(f, 'utf8'), homeDir, depth + 1)).join('\n');
    })
    .join('\n');
}

function expandInclude(pattern: string, homeDir: string): string[] {
  const absolute = pattern.startsWith('~/')
    ? join(homeDir, pattern.slice(2))
    : isAbsolute(pattern)
      ? pattern
      : join(homeDir, '.ssh', pattern);
  const dir = dirname(absolute);
  const base = basename(absolute);
  if (!/[*?]/.test(base)) return existsSync(absolute) ? [absolute] : [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // Like glob(3): sorted, and hidden files only when the pattern asks for them.
  return names
    .filter((n) => matchGlob(base, n) && (base.startsWith('.') || !n.startsWith('.')))
    .sort()
    .map((n) => join(dir, n));
}

function loadConfig(options: ResolveSshTargetOptions, homeDir: string): { config: SSHConfig; file: string } {
  const file = options.configPath ?? join(homeDir, '.ssh', 'config');
  if (options.configText !== undefined) return { config: SSHConfig.parse(inlineIncludes(options.configText, homeDir)), file };
  try {
    return { config: SSHConfig.parse(inlineIncludes(readFileSync(file, 'utf8'), homeDir)), file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.configPath === undefined) return { config: new SSHConfig(), file };
    throw new ConfigError([{ path: '', file, message: `cannot read SSH config: ${(error as Error).message}` }]);
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter((v) => v !== '');
}

function seconds(value: string | undefined, field: string, file: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new ConfigError([{ path: field, file, message: `expected a whole number of seconds, found "${value}"` }]);
  }
  return Number(value);
}

/**
 * Resolve an alias or `user@host:port` like `ssh` does. Explicit user and port in the target win
 * over the config; the config's HostName replaces the host.
 */
export function resolveSshTarget(target: string, options: ResolveSshTargetOptions = {}): SshTarget {
  return resolveWith(target, {}, createResolver(options), 0, new Set(), options.fallbackUser);
}

/** The `ssh:` mapping of a cluster in hpcbench.yaml; set fields win over ~/.ssh/config, like flags of `ssh`. */
export interface SshTargetSettings {
  /** A Host alias from ~/.ssh/config, a host name, or user@host:port. */
  host: string;
  user?: string | undefined;
  port?: number | undefined;
  identity_file?: string | undefined;
  known_hosts?: string | undefined;
  /** Like `ssh -J`: replaces the config's ProxyJump; "none" disables it. */
  proxy_jump?: string | undefined;
  /** Another ssh config file instead of ~/.ssh/config. */
  ssh_config?: string | undefined;
}

/**
 * `baseDir`: where relative paths of the mapping start (the directory of hpcbench.yaml). An
 * identity_file given here also sets IdentitiesOnly (stricter than `ssh -i`): the agent then signs
 * with that key only, so a crowded agent cannot use up the server's MaxAuthTries.
 */
export function resolveSshSettings(
  settings: SshTargetSettings,
  options: ResolveSshTargetOptions & { baseDir?: string } = {},
): SshTarget {
  const homeDir = options.homeDir ?? homedir();
  const fromBase = (path: string): string => (options.baseDir === undefined || isAbsolute(path) ? path : resolvePath(options.baseDir, path));
  const configPath = settings.ssh_config === undefined ? options.configPath : fromBase(expandHome(settings.ssh_config, homeDir));
  const resolver = createResolver({ ...options, ...(configPath === undefined ? {} : { configPath }) });
  const override: Partial<ParsedSpec> = {};
  if (settings.user !== undefined) override.user = settings.user;
  if (settings.port !== undefined) override.port = settings.port;
  const resolved = resolveWith(settings.host, override, resolver, 0, new Set(), options.fallbackUser);
  const ctx: TokenContext = {
    host: resolved.host,
    originalHost: parseTargetSpec(settings.host, 'ssh.host').host,
    port: resolved.port,
    remoteUser: resolved.username,
    localUser: resolver.localUser,
    homeDir,
  };
  if (settings.identity_file !== undefined) {
    resolved.identityFiles = [fromBase(expandPath(settings.identity_file, ctx, { file: '', field: 'ssh.identity_file' }))];
    resolved.identityFilesExplicit = true;
    resolved.identitiesOnly = true;
  }
  if (settings.known_hosts !== undefined) {
    resolved.knownHostsFiles = [fromBase(expandPath(settings.known_hosts, ctx, { file: '', field: 'ssh.known_hosts' }))];
  }
  if (settings.proxy_jump !== undefined) {
    resolved.proxyJump = resolveJumps(settings.proxy_jump, resolver, 1, new Set([settings.host]));
  }
  return resolved;
}

interface Resolver {
  config: SSHConfig;
  file: string;
  homeDir: string;
  localUser: string;
  globalKnownHostsFiles: readonly string[];
}

function createResolver(options: ResolveSshTargetOptions): Resolver {
  const homeDir = options.homeDir ?? homedir();
  const localUser = options.localUser ?? safeLocalUser();
  const { config, file } = loadConfig(options, homeDir);
  return { config, file, homeDir, localUser, globalKnownHostsFiles: options.globalKnownHostsFiles ?? DEFAULT_GLOBAL_KNOWN_HOSTS_FILES };
}

function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  return path.startsWith('~/') ? join(homeDir, path.slice(2)) : path;
}

function resolveWith(target: string, override: Partial<ParsedSpec>, r: Resolver, depth: number, seen: Set<string>, fallbackUser?: string): SshTarget {
  const { config, file, homeDir, localUser } = r;
  if (depth > MAX_JUMP_DEPTH || seen.has(target)) {
    throw new ConfigError([
      { path: 'ProxyJump', file, message: `ProxyJump chain through "${target}" loops or is deeper than ${MAX_JUMP_DEPTH} hops` },
    ]);
  }
  const spec = { ...parseTargetSpec(target), ...override };
  // matchExec false: the config must never make us run commands.
  const computed = config.compute(spec.user === undefined ? { Host: spec.host } : { Host: spec.host, User: spec.user }, {
    ignoreCase: true,
    matchExec: false,
  });
  const field = (name: string): string | undefined => first(computed[name.toLowerCase()]);
  const port = spec.port ?? (field('Port') === undefined ? 22 : parsePort(field('Port') ?? '', 'Port', spec.host, file));
  const configUser = field('User');
  const username = spec.user ?? configUser ?? fallbackUser ?? localUser;
  const usernameFrom = spec.user !== undefined ? 'target' : configUser !== undefined ? 'ssh-config' : fallbackUser !== undefined ? 'cluster' : 'local';
  const baseCtx = { originalHost: spec.host, port, remoteUser: username, localUser, homeDir, host: spec.host };
  const hostName = field('HostName');
  const host = hostName === undefined ? spec.host : expandPath(hostName, baseCtx, { file, field: 'HostName' });
  const ctx = { ...baseCtx, host };

  const configured = list(computed.identityfile);
  const identityFiles = configured.length > 0
    ? configured.map((f) => expandPath(f, ctx, { file, field: 'IdentityFile' }))
    : DEFAULT_IDENTITY_FILES.map((f) => join(homeDir, '.ssh', f));
  const knownConfigured = list(computed.userknownhostsfile);
  const knownHostsFiles = knownConfigured.length > 0
    ? knownConfigured.map((f) => expandPath(f, ctx, { file, field: 'UserKnownHostsFile' }))
    : [join(homeDir, '.ssh', 'known_hosts')];
  const globalConfigured = list(computed.globalknownhostsfile);
  const globalKnownHostsFiles = globalConfigured.length > 0
    ? globalConfigured.filter((f) => f.toLowerCase() !== 'none').map((f) => expandPath(f, ctx, { file, field: 'GlobalKnownHostsFile' }))
    : [...r.globalKnownHostsFiles];

  const resolved: SshTarget = {
    alias: target,
    host,
    port,
    username,
    usernameFrom,
    identityFiles,
    identityFilesExplicit: configured.length > 0,
    identitiesOnly: field('IdentitiesOnly')?.toLowerCase() === 'yes',
    proxyJump: [],
    knownHostsFiles,
    globalKnownHostsFiles,
  };
  const alias = field('HostKeyAlias');
  if (alias !== undefined) resolved.hostKeyAlias = alias;
  const interval = seconds(field('ServerAliveInterval'), 'ServerAliveInterval', file);
  if (interval !== undefined) resolved.keepaliveIntervalMs = interval * 1000;
  const countMax = seconds(field('ServerAliveCountMax'), 'ServerAliveCountMax', file);
  if (countMax !== undefined) resolved.keepaliveCountMax = countMax;
  const connectTimeout = seconds(field('ConnectTimeout'), 'ConnectTimeout', file);
  if (connectTimeout !== undefined) resolved.connectTimeoutMs = connectTimeout * 1000;

  const strict = field('StrictHostKeyChecking')?.toLowerCase();
  // `no` would also accept changed keys in OpenSSH; here it only goes as far as accept-new.
  if (strict === 'accept-new' || strict === 'no' || strict === 'off') resolved.acceptNewHostKey = true;
  if (field('HashKnownHosts')?.toLowerCase() === 'yes') resolved.hashKnownHosts = true;

  const jump = field('ProxyJump');
  if (jump !== undefined) resolved.proxyJump = resolveJumps(jump, r, depth + 1, new Set(seen).add(target));
  return resolved;
}

/**
 * Like `ssh -J a,b`: every hop gets its own config, but only the first hop's own ProxyJump is
 * followed; later hops are reached through the previous one.
 */
function resolveJumps(jump: string, r: Resolver, depth: number, seen: Set<string>): SshTarget[] {
  if (jump.trim().toLowerCase() === 'none') return [];
  const chain: SshTarget[] = [];
  const hops = jump.split(',').map((h) => h.trim()).filter((h) => h !== '');
  hops.forEach((hop, index) => {
    const hopTarget = resolveWith(hop, {}, r, depth, seen);
    if (index === 0) chain.push(...hopTarget.proxyJump);
    chain.push({ ...hopTarget, proxyJump: [] });
  });
  return chain;
}

function safeLocalUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}

/** `user@host:port`, and the hops, for messages. */
export function describeTarget(target: SshTarget): string {
  const self = `${target.username}@${target.host}:${target.port}`;
  if (target.proxyJump.length === 0) return self;
  return `${self} via ${target.proxyJump.map((h) => `${h.username}@${h.host}:${h.port}`).join(' -> ')}`;
}
