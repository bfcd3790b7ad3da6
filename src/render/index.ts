/** Job script generation: the public surface of src/render. */
export { renderRun, writeRun, orderExperiments, renderJobScript, PREFETCH_SCRIPT, type RenderOptions, type RenderedRun, type WriteOptions } from './render-run.js';
export { createTemplateEnvironment, templateSearchPath, templateFileName, quoteDirective, quotePath, SHIPPED_TEMPLATES_DIR, type TemplateEnvironmentOptions } from './environment.js';
export { listTemplates, listJobTemplateNames, findTemplate, readTemplate, type TemplateEntry, type TemplateKind, type CatalogOptions } from './catalog.js';
export { buildJobView, scriptPath, sidecarLoop, DEFAULT_INFERENCE_LOG, DEFAULT_TRAINING_LOG, type JobView, type JobViewInput, type NameValue } from './job-view.js';
export { preflightRun, collectPreflightIssues, DEFAULT_MAX_ARRAY_SIZE, type PreflightOptions, type PreflightResult } from './preflight.js';
export { checkLoadedConfig, loadCheckedConfigText, type ConfigCheck, type ConfigCheckOptions } from './check-config.js';
export { findPlaceholders, substitutePlaceholders, mentionsParameter, parameterEnvName, type PlaceholderUse } from './placeholders.js';
export { expandSweep, formatArraySpec, formatSweepTsv, formatSweepJsonl, type ParamRecord, type ParamValue } from './sweep.js';
export { createRunId, sha256Hex, MANIFEST_SCHEMA, RUN_ID_PATTERN, type RunManifest, type ManifestJob, type ManifestFile, type ManifestArray } from './manifest.js';
export { applySetOverrides, parseSetArgument, type SetOverride } from './overrides.js';
