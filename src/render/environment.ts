/**
 * The nunjucks environment for job scripts: autoescape off (HTML escaping would corrupt shell),
 * Jinja-style block trimming, a project-local templates/ directory searched before the shipped
 * one, and the filters that are the only way a value may enter a script:
 *
 *   q         a shell word: quoteShell (data, never code)
 *   qpath     a shell word for a path; a leading `~/` becomes "$HOME"/… so it still expands
 *   d         a single-line token for `#SBATCH` lines and comments (no newline can escape the comment)
 *   n         a finite number (throws otherwise)
 *   ident     a shell variable name (throws otherwise)
 *   shellcode the user's own shell code (`command:`, `setup:`), placed verbatim by design
 *
 * tests/unit/render/template-scan.test.ts fails when a shipped template prints anything else.
 */
import { RenderError } from '../errors.js';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { quoteShell } from '../shell-quote.js';

/** The templates/ directory shipped with the package (src/render and dist/render are both two levels down). */
export const SHIPPED_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** Characters allowed bare in an `#SBATCH` value; anything else is double-quoted (sbatch strips them). */
const DIRECTIVE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
// sbatch's own tokenizer honours double quotes and backslashes and treats `#` as a comment start,
// and a newline would end the comment and start a shell line: refuse those outright.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIRECTIVE_FORBIDDEN = /["\\#\p{Cc}]/u;

export function quoteDirective(value: string | number | boolean): string {
  const text = String(value);
  if (DIRECTIVE_WORD.test(text)) return text;
  if (text.length === 0 || DIRECTIVE_FORBIDDEN.test(text)) {
    throw new RenderError(
      `${JSON.stringify(text)} cannot be written into an #SBATCH line or a comment: it is empty or contains a quote, backslash, '#' or a control character`,
    );
  }
  return `"${text}"`;
}

function quotePath(value: string): string {
  if (value === '~') return '"$HOME"';
  if (value.startsWith('~/')) return `"$HOME"/${quoteShell(value.slice(2))}`;
  return quoteShell(value);
}

function requireNumber(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RenderError(`expected a number in a template, found ${JSON.stringify(value)}`);
  }
  return String(value);
}

function requireText(value: unknown, filter: string): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new RenderError(`the '${filter}' filter expects a string, number or boolean, found ${value === undefined ? 'undefined (a missing field?)' : typeof value}`);
}

export interface TemplateEnvironmentOptions {
  /** A project's own templates/ directory; templates there override shipped ones of the same name. */
  projectDir?: string | undefined;
}

/** The directories searched, first match wins. */
function templateSearchPath(options: TemplateEnvironmentOptions = {}): string[] {
  const dirs: string[] = [];
  // Inside hpcbench's own repository the project's templates/ is the shipped one.
  if (options.projectDir !== undefined && existsSync(options.projectDir) && resolve(options.projectDir) !== resolve(SHIPPED_TEMPLATES_DIR)) dirs.push(options.projectDir);
  dirs.push(SHIPPED_TEMPLATES_DIR);
  return dirs;
}

/**
 * One environment per CLI invocation: nunjucks compiles a template the first time it is asked for
 * and keeps it, so rendering thousands of scripts reads each file once.
 */
export function createTemplateEnvironment(options: TemplateEnvironmentOptions = {}): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(templateSearchPath(options), { noCache: false, watch: false });
  const env = new nunjucks.Environment(loader, { autoescape: false, trimBlocks: true, lstripBlocks: true, throwOnUndefined: true });
  env.addFilter('q', (value: unknown) => quoteShell(requireText(value, 'q')));
  env.addFilter('qpath', (value: unknown) => quotePath(String(requireText(value, 'qpath'))));
  env.addFilter('d', (value: unknown) => quoteDirective(requireText(value, 'd')));
  env.addFilter('n', requireNumber);
  env.addFilter('ident', (value: unknown) => {
    const text = String(requireText(value, 'ident'));
    if (!IDENTIFIER.test(text)) throw new RenderError(`${JSON.stringify(text)} is not a shell variable name`);
    return text;
  });
  env.addFilter('shellcode', (value: unknown) => String(requireText(value, 'shellcode')));
  precompileTemplates(env, templateSearchPath(options));
  return env;
}

function listTemplateFiles(root: string, dir = join(root, 'sbatch')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTemplateFiles(root, path);
    return entry.isFile() && entry.name.endsWith('.njk') ? [relative(root, path).split(sep).join('/')] : [];
  });
}

/**
 * Compiles every template up front. Besides saving work per render, this is where a syntax error
 * surfaces as a RenderError: nunjucks reports errors in an `{% include %}`d template through an
 * asynchronous callback that escapes try/catch.
 */
function precompileTemplates(env: nunjucks.Environment, dirs: readonly string[]): void {
  const names = new Set(dirs.flatMap((dir) => listTemplateFiles(dir)));
  for (const name of names) {
    try {
      env.getTemplate(name, true);
    } catch (error) {
      throw new RenderError(`template ${name} does not compile: ${(error as Error).message}`, 'Fix the template (a project override lives in templates/ next to hpcbench.yaml).');
    }
  }
}

/** Template file for a job template name: `gpu` → sbatch/gpu.sbatch.njk. */
export function templateFileName(name: string): string {
  return join('sbatch', `${name}.sbatch.njk`);
}
