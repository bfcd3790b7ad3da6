/**
 * Moved: the catalogues live in src/report/i18n/ (en.ts, pt-BR.ts, index.ts). New words go into
 * both catalogues there; this module only keeps older imports working.
 */
export { labelsFor, describeAdvice, describeBundleGap, type Labels } from './i18n/index.js';
