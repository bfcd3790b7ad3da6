/** Job script generation: the public surface of src/render. */
export { renderRun, writeRun, type RenderOptions, type RenderedRun, type WriteOptions } from './render-run.js';
export { createTemplateEnvironment, SHIPPED_TEMPLATES_DIR, type TemplateEnvironmentOptions } from './environment.js';
export { listTemplates, findTemplate, readTemplate, type TemplateEntry } from './catalog.js';
export { preflightRun, type PreflightResult } from './preflight.js';
export { checkLoadedConfig, type ConfigCheck } from './check-config.js';
export { expandSweep, type ParamRecord } from './sweep.js';
export { createRunId } from './manifest.js';
export { applySetOverrides, parseSetArgument, type SetOverride } from './overrides.js';
