/**
 * How a report words the files its reproduction bundle refused to read (see bundle-files.ts): the
 * wording is in the catalogues (src/report/i18n/); this module keeps the CLI's import working.
 */
export { describeBundleRefusal } from './i18n/index.js';
