/**
 * One pass over a config: everything resolving finds (presets, partitions, limits, dependencies)
 * and everything preflight finds before a render (reserved names, files, templates, placeholders,
 * multinode commands), reported together with file:line:column. `config check`, render and submit
 * go through here, so a config that passes the check also renders.
 */
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { ResolvedConfig } from '../config/index.js';
import { parseConfigText, sortIssues, type LoadedConfig } from '../config/load.js';
import { resolveConfigCollecting } from '../config/resolve.js';
import { listJobTemplateNames } from './catalog.js';
import { collectPreflightIssues } from './preflight.js';
import { orderExperiments } from './render-run.js';

export interface ConfigCheckOptions {
  /** Check this experiment and those it depends on; default: every experiment. */
  experiment?: string;
  /** A project's templates/ directory; default: templates/ in the project directory. */
  projectTemplatesDir?: string;
}

export interface ConfigCheck {
  /** The experiments that resolved (all of them when `issues` is empty). */
  config: ResolvedConfig;
  issues: ConfigIssue[];
  /** Warnings: the config renders, but probably not as meant. */
  notes: ConfigIssue[];
}

export function checkLoadedConfig(loaded: LoadedConfig, root: string, options: ConfigCheckOptions = {}): ConfigCheck {
  const { config, issues } = resolveConfigCollecting(loaded, root);
  const wanted = options.experiment;
  // An experiment that did not resolve (unknown cluster or partition) has been reported already.
  const experiments = wanted === undefined ? Object.values(config.experiments) : config.experiments[wanted] ? orderExperiments(config, wanted) : [];
  const templates = listJobTemplateNames({ projectDir: options.projectTemplatesDir ?? join(config.root, 'templates') });
  const preflight = collectPreflightIssues(config, experiments, { templates });
  return { config, issues: sortIssues([...issues, ...preflight.issues]), notes: sortIssues(preflight.notes) };
}

/**
 * The config text resolved and checked for `experiment` (and what it depends on); throws one
 * ConfigError listing every problem. An unknown experiment is left to orderExperiments to name.
 */
export function loadCheckedConfigText(text: string, file: string, root: string, experiment?: string): ResolvedConfig {
  const loaded = parseConfigText(text, file);
  if (experiment !== undefined && !(experiment in (loaded.raw.experiments ?? {}))) {
    const { config, issues } = resolveConfigCollecting(loaded, root);
    if (issues.length > 0) throw new ConfigError(sortIssues(issues));
    orderExperiments(config, experiment);
  }
  const check = checkLoadedConfig(loaded, root, experiment !== undefined ? { experiment } : {});
  if (check.issues.length > 0) throw new ConfigError(check.issues, 'Fix these in the config, then run again; nothing was written.');
  return check.config;
}
