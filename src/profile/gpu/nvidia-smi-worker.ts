/** Worker thread entry: parses one byte range of a --query-gpu log (see nvidia-smi-parallel.ts and nvidia-smi-ranges.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { describeRangeError, parseQueryGpuRange, type QueryRangeInput } from './nvidia-smi-ranges.js';

const port = parentPort;
if (port !== null) {
  parseQueryGpuRange(workerData as QueryRangeInput, (bytes) => port.postMessage({ type: 'progress', bytes }))
    .then((result) => port.postMessage({ type: 'result', result }))
    .catch((error: unknown) => port.postMessage({ type: 'error', error: describeRangeError(error) }));
}
