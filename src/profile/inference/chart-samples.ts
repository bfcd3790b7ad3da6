/**
 * The latency and throughput samples a task keeps for charts (latency_samples_s,
 * throughput_samples): all of them, or MAX_KEPT_SAMPLES evenly strided rows. One rule for the
 * in-memory profile, which has the values in an array, and the streamed one, which sees them one
 * at a time on a later pass, once their count is known: both keep the same rows.
 */
import { MAX_KEPT_SAMPLES } from '../metrics-document.js';

/**
 * Of `count` values fed one at a time, those at rows floor(i · count / max) for i < max, or all of
 * them when there are no more than `max`: evenly strided, without holding the rest.
 */
export class StridedSampler {
  readonly values: number[] = [];
  readonly strided: boolean;
  private readonly stride: number;
  private seen = 0;
  private next = 0;

  constructor(
    count: number,
    private readonly max: number,
  ) {
    this.strided = count > max;
    this.stride = count / max;
  }

  add(value: number): void {
    if (this.seen++ !== this.next) return;
    this.values.push(value);
    this.next = this.strided ? (this.values.length < this.max ? Math.floor(this.values.length * this.stride) : -1) : this.seen;
  }
}

/** The samples kept of values held in an array. */
export function keepSamples(values: Float64Array): { values: number[]; strided: boolean } {
  const sampler = new StridedSampler(values.length, MAX_KEPT_SAMPLES);
  for (let i = 0; i < values.length; i++) sampler.add(values[i] as number);
  return { values: sampler.values, strided: sampler.strided };
}
