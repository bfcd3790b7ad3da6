/**
 * Every CLI command, one module per file. Add new commands to this list.
 */
import type { CommandModule } from 'yargs';
import { configCommand } from './config.js';
import { profileCommand } from './profile.js';
import { runCommand } from './run.js';
import { demoCommand } from './demo.js';
import { initCommand } from './init.js';
import { renderCommand } from './render.js';
import { templatesCommand } from './templates.js';
import { submitCommand } from './submit.js';
import { resubmitCommand } from './resubmit.js';
import { statusCommand } from './status.js';
import { watchCommand } from './watch.js';
import { fetchCommand } from './fetch.js';
import { cancelCommand } from './cancel.js';
import { runsCommand } from './runs.js';
import { reportCommand } from './report.js';
import { compareCommand } from './compare.js';
import { efficiencyCommand } from './efficiency.js';

// In the order of the workflow, which is the order `hpcbench --help` lists them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs modules differ in their argument types
export const commands: CommandModule<any, any>[] = [
  demoCommand,
  initCommand,
  configCommand,
  templatesCommand,
  renderCommand,
  runCommand,
  submitCommand,
  resubmitCommand,
  statusCommand,
  watchCommand,
  fetchCommand,
  cancelCommand,
  runsCommand,
  profileCommand,
  efficiencyCommand,
  reportCommand,
  compareCommand,
];
