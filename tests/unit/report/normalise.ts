/** Timestamps and the tool version change between runs without the report changing. */
export function normaliseReport(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<timestamp>')
    .replace(/hpcbench \d+\.\d+\.\d+(-[\w.]+)?/g, 'hpcbench <version>')
    .replace(/"version": "[^"]*"/g, '"version": "<version>"');
}

/**
 * JSON outputs compared at 10 significant digits: the last bits of a float sum depend on the
 * order of additions in the profiler, which may change without any figure in the report changing.
 */
export function normaliseJsonReport(text: string): string {
  const rounded = JSON.parse(text, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(10)) : value)) as unknown;
  return normaliseReport(JSON.stringify(rounded, null, 2));
}
