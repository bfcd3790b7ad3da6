/**
 * The library API: an explicit export list. Add exports here as modules land.
 */
export * from './errors.js';
export { quoteShell, shellCommand } from './render/shell-quote.js';
export * from './stats/index.js';
