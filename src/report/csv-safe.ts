/**
 * CSV cells a spreadsheet would run as formulas (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) get a
 * leading apostrophe, the escape spreadsheets themselves use for "this is text". Numbers stay
 * numbers: a cell hpcbench wrote from a number, or any text that is a plain decimal literal
 * (`-3`, `-1.5e-3`), cannot be a formula and is left as is so the column still sums.
 */

/** What starts a formula in Excel, LibreOffice or Google Sheets (tab and CR included, as OWASP lists them). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function neutraliseCsvCell(value: string | number | boolean | null | undefined): string | number | boolean | null | undefined {
  if (typeof value !== 'string') return value;
  if (!FORMULA_START.test(value) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

export function neutraliseCsvRecords(records: readonly (readonly (string | number | boolean | null | undefined)[])[]): (string | number | boolean | null | undefined)[][] {
  return records.map((record) => record.map(neutraliseCsvCell));
}
