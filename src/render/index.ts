/** Job script generation: the public surface of src/render. */
export { renderRun, writeRun, type RenderOptions, type RenderedRun, type WriteOptions } from './render-run.js';
export { createTemplateEnvironment, quoteDirective, quotePath, SHIPPED_TEMPLATES_DIR } from './environment.js';
export { listTemplates, listJobTemplateNames, findTemplate, readTemplate, type TemplateEntry } from './catalog.js';
export { preflightRun, type PreflightResult } from './preflight.js';
export { checkLoadedConfig, type ConfigCheck } from './check-config.js';
export { expandSweep, formatArraySpec, formatSweepTsv, formatSweepJsonl, type ParamRecord } from './sweep.js';
export { createRunId } from './manifest.js';
export { applySetOverrides, parseSetArgument, type SetOverride } from './overrides.js';
