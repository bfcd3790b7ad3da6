/**
 * `hpcbench --help` without yargs: importing yargs costs more than starting node, and the list of
 * commands is all the top-level help shows. The text is laid out through the calls yargs makes to
 * cliui for this parser, with help-layout.ts (cliui's rules for plain ASCII, without its Unicode
 * tables) or, for other text, cliui itself, so it is the text yargs prints (a unit test compares
 * them at several widths).
 */
import { commandDescriptors } from './commands.js';
import { globalOptionSpecs } from './global-options.js';
import { HelpLayout, isPlainText } from './help-layout.js';

export const scriptName = 'hpcbench';
export const usageText = '$0 <command> [options]\n\nGenerate, submit, follow, profile and report SLURM benchmark jobs.';

/** The width yargs wraps at: the terminal's, at most 110 columns, 100 when not a terminal. */
export function selectHelpWidth(columns: number | undefined): number {
  return Math.min(110, columns || 100);
}

/** Whether `argv` asks for the top-level help only (extra flags leave it to yargs). */
export function isTopLevelHelp(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h');
}

/**
 * yargs translates its headings ("Commands:", "Show help") into the locale of the environment;
 * this layout knows the English ones only. Other locales, and a disabled wrap, go through yargs.
 */
export function canLayOutHelp(env: NodeJS.ProcessEnv): boolean {
  if (env.YARGS_DISABLE_WRAP) return false;
  // The variables yargs reads, in its order.
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || 'en_US';
  const language = (locale.replace(/[.:].*/, '').split('_')[0] ?? '').toLowerCase();
  return language === 'en' || language === 'c' || language === 'posix';
}

interface OptionRow {
  switches: string;
  indentation: number;
  description: string;
  extra: string;
}

function listOptionRows(): OptionRow[] {
  const rows = Object.entries(globalOptionSpecs).map(([key, spec]) => ({
    switches: spec.alias === undefined ? `--${key}` : `-${spec.alias}, --${key}`,
    description: spec.description,
    extra: [`[${spec.type}]`, ...(spec.default === undefined ? [] : [`[default: ${String(spec.default)}]`])].join(' '),
  }));
  rows.push({ switches: '--version', description: 'Show version number', extra: '[boolean]' });
  rows.push({ switches: '-h, --help', description: 'Show help', extra: '[boolean]' });
  // yargs indents long-only switches by the width of "-x, " when some option has a short one.
  const shortUsed = rows.some((r) => !r.switches.startsWith('--'));
  return rows.map((r) => ({ ...r, indentation: shortUsed && r.switches.startsWith('--') ? 4 : 0 }));
}

/** The top-level help text, as yargs prints it at this width (without the final newline). */
export async function renderTopLevelHelp(width: number): Promise<string> {
  const half = Math.floor(width * 0.5);
  const options = listOptionRows();
  const texts = [usageText, ...commandDescriptors.flatMap((d) => [d.command, d.describe]), ...options.flatMap((o) => [o.switches, o.description, o.extra])];
  const ui = texts.every(isPlainText) ? new HelpLayout(width) : (await import('cliui')).default({ width, wrap: true });
  ui.div({ text: usageText.replace(/\$0/g, scriptName) });
  ui.div();
  ui.div('Commands:');
  const commandWidth = Math.min(half, Math.max(...commandDescriptors.map((d) => `${scriptName} ${d.command}`.length))) + 4;
  for (const d of commandDescriptors) {
    ui.span({ text: `${scriptName} ${d.command}`, padding: [0, 2, 0, 2], width: commandWidth }, { text: d.describe });
    ui.div();
  }
  ui.div();
  ui.div('Options:');
  const switchWidth = Math.min(half, Math.max(...options.map((o) => o.switches.length + o.indentation))) + 4;
  for (const o of options) {
    ui.span({ text: o.switches, padding: [0, 2, 0, 2 + o.indentation], width: switchWidth }, o.description);
    ui.div({ text: o.extra, padding: [0, 0, 0, 2], align: 'right' });
  }
  ui.div();
  return ui.toString().replace(/\s*$/, '');
}
