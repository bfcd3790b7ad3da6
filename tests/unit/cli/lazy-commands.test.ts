import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import cliui from 'cliui';
import { commandDescriptors } from '../../../src/cli/commands.js';
import { HelpLayout } from '../../../src/cli/help-layout.js';

const root = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'hpcb-lazy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A module loader hook that prints every URL node resolves, to see what a CLI call imports. */
function writeRecordingHook(): string {
  const hook = join(scratch, 'record-hook.mjs');
  writeFileSync(hook, 'export async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  process.stderr.write(`LOADED ${result.url}\\n`);\n  return result;\n}\n');
  const register = join(scratch, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  return register;
}

interface BundleMeta { outputs: Record<string, { inputs: Record<string, unknown> }> }

/** The sources (src/… and node_modules/<package>/…) each bundled file was built from (scripts/bundle-cli.mjs writes meta.json). */
function readBundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'cli-bundle', 'meta.json'), 'utf8')) as BundleMeta;
  return new Map(Object.entries(meta.outputs).map(([output, o]) => [output, Object.keys(o.inputs)]));
}

/** The package a path under node_modules/ belongs to. */
const packageOf = (path: string): string | undefined => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

/**
 * Runs the built CLI and returns what it printed, the hpcbench sources it loaded (as dist/ paths,
 * e.g. cli/status.js, whether tsc's file or a bundle chunk holding it) and the packages it loaded
 * (from node_modules, or bundled into a chunk it loaded).
 */
function runBuiltCli(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string; dist: string[]; packages: string[]; bundleFiles: string[] } {
  expect(existsSync('dist/cli-bundle/main.js'), 'run `npm run build` first (npm test does)').toBe(true);
  const register = writeRecordingHook();
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(root, 'bin', 'hpcbench.js'), ...args], { encoding: 'utf8', cwd, env: { ...process.env, LANG: 'C' } });
  const urls = [...result.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] ?? '');
  const rootPrefix = pathToFileURL(root).href + '/';
  const inputs = readBundleInputs();
  const sources = urls.filter((u) => u.startsWith(rootPrefix)).flatMap((u) => {
    const path = u.slice(rootPrefix.length);
    if (path.startsWith('dist/cli-bundle/')) {
      const built = inputs.get(path);
      expect(built, `${path} is not in dist/cli-bundle/meta.json: rebuild`).toBeDefined();
      return built ?? [];
    }
    return [path];
  });
  const dist = [...new Set(sources.flatMap((p) => (p.startsWith('src/') ? [p.slice(4).replace(/\.ts$/, '.js')] : p.startsWith('dist/') ? [p.slice(5)] : [])))].sort();
  const packages = [...new Set(sources.flatMap((p) => packageOf(p) ?? []))].sort();
  const bundleFiles = [...new Set(urls.filter((u) => u.startsWith(`${rootPrefix}dist/cli-bundle/`)).map((u) => u.slice(rootPrefix.length + 'dist/cli-bundle/'.length)))].sort();
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^LOADED .*\n/gm, ''), dist, packages, bundleFiles };
}

// What the entry needs before it knows the command: nothing of config, render, runs, profile or report.
const entryModules = ['cli/commands.js', 'cli/exit.js', 'cli/global-options.js', 'cli/help-layout.js', 'cli/main.js', 'cli/top-level-help.js', 'cli/version.js', 'config/suggest.js', 'errors.js'];

describe('the CLI loads commands lazily', () => {
  it('--version imports neither yargs nor any command module, and prints the package version', () => {
    const run = runBuiltCli(['--version']);
    expect(run.status).toBe(0);
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(run.stdout).toBe(`${version}\n`);
    expect(run.packages).toEqual([]);
    expect(run.dist.filter((m) => !entryModules.includes(m))).toEqual([]);
  });

  it('--help lists every command without importing any package or command module', () => {
    const run = runBuiltCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.packages).toEqual([]);
    for (const d of commandDescriptors) expect(run.stdout).toContain(`hpcbench ${d.command}`);
    expect(run.dist.filter((m) => !entryModules.includes(m))).toEqual([]);
  });

  it('a command imports its own module, not the others', () => {
    const run = runBuiltCli(['status', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--accept-new-host-key/);
    expect(run.dist).toContain('cli/status.js');
    for (const other of ['cli/watch.js', 'cli/submit.js', 'cli/report.js', 'cli/profile.js', 'cli/demo.js']) expect(run.dist).not.toContain(other);
  });

  it('status reads its usual command lines without yargs, and leaves the others to it', () => {
    const project = join(scratch, 'project');
    const results = join(project, 'results');
    const plain = runBuiltCli(['status', '--results', results, 'latest'], scratch);
    // No run yet: the command itself answered, through the fast path.
    expect(plain.status, plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(/no runs? .*results/);
    expect(plain.dist).toContain('cli/status.js');
    expect(plain.packages).not.toContain('yargs');
    // One bundled file, without main.js or any chunk (scripts/bundle-cli.mjs says why).
    expect(plain.bundleFiles).toEqual(['status.js']);
    // The same call with a flag the fast path does not read goes through yargs, to the same answer.
    const viaYargs = runBuiltCli(['status', '--results', results, 'latest', '--no-json'], scratch);
    expect(viaYargs.packages).toContain('yargs');
    expect(viaYargs.bundleFiles).toContain('main.js');
    expect(viaYargs.status).toBe(2);
    expect(viaYargs.stderr).toBe(plain.stderr);
  });

  it('each descriptor names its module\'s command and description, so --help and `<command> --help` agree', async () => {
    for (const descriptor of commandDescriptors) {
      const loaded = await descriptor.load();
      expect(loaded.command, descriptor.command).toBe(descriptor.command);
      expect(loaded.describe, descriptor.command).toBe(descriptor.describe);
      expect(loaded.handler, descriptor.command).toBeTypeOf('function');
    }
  });
});

describe('the top-level help laid out without yargs', () => {
  it('is the text yargs prints, at every width', async () => {
    const { renderTopLevelHelp, selectHelpWidth } = await import('../../../src/cli/top-level-help.js');
    const { runCli } = await import('./run-cli.js');
    const saved = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
    try {
      for (const columns of [24, 30, 41, 50, 72, 80, 99, 100, 110, 160]) {
        Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true, writable: true });
        // An extra flag sends --help through yargs.
        const viaYargs = await runCli(['--help', '--quiet']);
        expect(viaYargs.code).toBe(0);
        expect(`${await renderTopLevelHelp(selectHelpWidth(columns))}\n`, `${columns} columns`).toBe(viaYargs.stdout);
        // and a bare --help takes the fast path, with the same text.
        expect((await runCli(['--help'])).stdout).toBe(viaYargs.stdout);
      }
    } finally {
      if (saved) Object.defineProperty(process.stdout, 'columns', saved);
      else delete (process.stdout as { columns?: number }).columns;
    }
  });

  it('leaves other locales to yargs, which translates its headings', async () => {
    const { canLayOutHelp } = await import('../../../src/cli/top-level-help.js');
    expect(canLayOutHelp({})).toBe(true);
    expect(canLayOutHelp({ LANG: 'en_GB.UTF-8' })).toBe(true);
    expect(canLayOutHelp({ LANG: 'C.UTF-8' })).toBe(true);
    expect(canLayOutHelp({ LANG: 'pt_BR.UTF-8' })).toBe(false);
    expect(canLayOutHelp({ LC_ALL: 'de_DE', LANG: 'en_US' })).toBe(false);
    expect(canLayOutHelp({ YARGS_DISABLE_WRAP: '1' })).toBe(false);
  });
});

describe('help-layout: cliui\'s rules for plain ASCII', () => {
  it('lays out spans, right-aligned extras and plain rows exactly as cliui does, at any width', () => {
    const word = fc.stringMatching(/^[a-z[\]().,:=-]{0,30}$/);
    const text = fc.array(word, { maxLength: 12 }).map((words) => words.join(' '));
    const row = fc.record({ left: text, right: text, extra: text, plain: fc.boolean(), leftWidth: fc.integer({ min: 4, max: 40 }) });
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 160 }), fc.array(row, { maxLength: 6 }), (width, rows) => {
        const mine = new HelpLayout(width);
        const theirs = cliui({ width, wrap: true });
        for (const ui of [mine, theirs]) {
          ui.div({ text: 'usage line\n\nsecond paragraph of the usage' });
          ui.div();
          for (const r of rows) {
            if (r.plain) {
              ui.div(r.left);
              continue;
            }
            ui.span({ text: r.left, padding: [0, 2, 0, 2], width: Math.min(r.leftWidth, Math.floor(width / 2)) + 4 }, { text: r.right });
            if (r.extra) ui.div({ text: r.extra, padding: [0, 0, 0, 2], align: 'right' });
            else ui.div();
          }
        }
        expect(mine.toString()).toBe(theirs.toString());
      }),
      { numRuns: 300 },
    );
  });
});
