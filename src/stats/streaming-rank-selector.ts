/**
 * Exact order statistics of a stream that is too large to keep but can be read again (a log
 * re-read from disk), in memory that does not grow with the number of values.
 *
 * A finite float64 maps to a 64-bit key whose unsigned order is the values' numeric order (the
 * usual trick: set the sign bit of a positive value, flip every bit of a negative one), the same
 * order as Float64Array.prototype.sort, −0 before +0. The first pass counts the values in 2¹⁶
 * buckets of the key's top 16 bits (sign, exponent, 4 mantissa bits). Each wanted rank falls in
 * one bucket; a later pass either collects that bucket's values and sorts them (when they fit:
 * at most `bufferLimit` values are held in all) or counts them by their next 12 bits, which
 * narrows the bucket for the pass after.
 * Every bucket also keeps its smallest and largest value: a bucket of equal values (heavy ties,
 * all-equal data) gives its value without being collected, so selection always ends, at the
 * latest when the 12-bit levels reach the key's last bit (16 + 4 × 12 = 64).
 *
 * A caller feeds the same values in every pass (the order may differ), calls finishPass() after
 * each, select() after the first, and reads the values once `needsPass` is false.
 */

/** Bits of the key each level's buckets are made of, from the top. */
const LEVEL_BITS = [16, 12, 12, 12, 12] as const;
/** The top bits a node of each level shares (the levels above it), as masks of the key's two halves. */
const PREFIX_MASK_HI = [0, 0xffff0000, 0xfffffff0, 0xffffffff, 0xffffffff] as const;
const PREFIX_MASK_LO = [0, 0, 0, 0xff000000, 0xfffff000] as const;

/**
 * 2 MiB of doubles: the percentiles' buckets after the first pass (2¹⁶ buckets, a sixteenth of an
 * octave each) of a million latencies fit together, so such a log needs two passes, not three.
 */
const DEFAULT_SELECTION_BUFFER = 262_144;

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
// The halves of a float64 in memory: little-endian on every platform Node ships for, checked anyway.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The bucket of `level` that the key (hi, lo) falls in. */
function bucketOf(level: number, hi: number, lo: number): number {
  switch (level) {
    case 0:
      return hi >>> 16;
    case 1:
      return (hi >>> 4) & 0xfff;
    case 2:
      return ((hi & 0xf) << 8) | (lo >>> 24);
    case 3:
      return (lo >>> 12) & 0xfff;
    default:
      return lo & 0xfff;
  }
}

/** The prefix of the node below bucket `b` of a node of `level` with prefix (hi, lo). */
function childPrefix(level: number, hi: number, lo: number, b: number): [number, number] {
  switch (level) {
    case 0:
      return [(hi | (b << 16)) >>> 0, lo];
    case 1:
      return [(hi | (b << 4)) >>> 0, lo];
    case 2:
      return [(hi | (b >>> 8)) >>> 0, (lo | ((b & 0xff) << 24)) >>> 0];
    default:
      return [hi, (lo | (b << 12)) >>> 0];
  }
}

interface NodeBase {
  /** The level whose bits tell this node's values apart (0: the whole stream). */
  level: number;
  prefixHi: number;
  prefixLo: number;
  /** How many values are smaller than every value of this node. */
  below: number;
  /** The 0-based ranks that fall in this node. */
  ranks: number[];
}

interface HistogramNode extends NodeBase {
  kind: 'histogram';
  counts: Float64Array;
  mins: Float64Array;
  maxs: Float64Array;
}

interface CollectNode extends NodeBase {
  kind: 'collect';
  size: number;
  buffer: Float64Array | undefined;
  filled: number;
}

type SelectionNode = HistogramNode | CollectNode;

function createHistogramNode(level: number, prefixHi: number, prefixLo: number, below: number): HistogramNode {
  const size = 2 ** (LEVEL_BITS[level] as number);
  return {
    kind: 'histogram',
    level,
    prefixHi,
    prefixLo,
    below,
    ranks: [],
    counts: new Float64Array(size),
    mins: new Float64Array(size).fill(Number.POSITIVE_INFINITY),
    maxs: new Float64Array(size).fill(Number.NEGATIVE_INFINITY),
  };
}

export interface RankSelectorOptions {
  /** The most values held for sorting at once (default 262 144). */
  bufferLimit?: number;
}

/** See the module comment for the protocol: add() every value each pass, finishPass(), select() after the first. */
export class StreamingRankSelector {
  readonly bufferLimit: number;
  private count = 0;
  private passCount = 0;
  private root: HistogramNode | undefined = createHistogramNode(0, 0, 0, 0);
  /** Nodes that read the current pass. */
  private active: SelectionNode[] = [];
  /** The nodes planned for the next pass, by level and prefix: ranks in one bucket share one. */
  private planned = new Map<string, SelectionNode>();
  private readonly resolved = new Map<number, number>();
  private peak = 0;
  private seenInPass = 0;

  constructor(options: RankSelectorOptions = {}) {
    this.bufferLimit = Math.max(1, Math.floor(options.bufferLimit ?? DEFAULT_SELECTION_BUFFER));
  }

  /** Values of the first pass. */
  get n(): number {
    return this.count;
  }

  /** Passes finished so far. */
  get passes(): number {
    return this.passCount;
  }

  /** The most values held for sorting during any one pass (never above bufferLimit). */
  get peakBuffered(): number {
    return this.peak;
  }

  /** Whether another pass over the values is needed for the ranks asked. */
  get needsPass(): boolean {
    return this.passCount === 0 || this.active.length > 0;
  }

  add(x: number): void {
    scratch[0] = x;
    let hi = words[HI] as number;
    let lo = words[LO] as number;
    if (hi >>> 31 === 1) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    this.seenInPass++;
    if (this.passCount === 0) {
      this.count++;
      this.countInto(this.root as HistogramNode, hi, lo, x);
      return;
    }
    const nodes = this.active;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as SelectionNode;
      const level = node.level;
      if ((hi & (PREFIX_MASK_HI[level] as number)) >>> 0 !== node.prefixHi || (lo & (PREFIX_MASK_LO[level] as number)) >>> 0 !== node.prefixLo) continue;
      if (node.kind === 'histogram') this.countInto(node, hi, lo, x);
      else {
        if (node.filled >= node.size) throw new Error('the values changed between passes: more fell in a bucket than the first passes counted');
        (node.buffer as Float64Array)[node.filled++] = x;
      }
    }
  }

  private countInto(node: HistogramNode, hi: number, lo: number, x: number): void {
    const b = bucketOf(node.level, hi, lo);
    node.counts[b] = (node.counts[b] as number) + 1;
    if (x < (node.mins[b] as number)) node.mins[b] = x;
    if (x > (node.maxs[b] as number)) node.maxs[b] = x;
  }

  /** Asks for the values at these 0-based ranks (0 ≤ rank < n); call after the first pass. */
  select(ranks: readonly number[]): void {
    const root = this.root;
    if (root === undefined) throw new Error('select() is called after the first pass, before the second');
    for (const rank of ranks) {
      if (!(Number.isInteger(rank) && rank >= 0 && rank < this.count)) throw new RangeError(`rank ${rank} is outside 0..${this.count - 1}`);
    }
    root.ranks = ranks.filter((rank, i) => !this.resolved.has(rank) && ranks.indexOf(rank) === i);
    this.plan([root]);
  }

  /** The value at a rank asked for, once no pass is needed. */
  valueAt(rank: number): number {
    const value = this.resolved.get(rank);
    if (value === undefined) throw new Error(`rank ${rank} was not asked for or is not resolved yet`);
    return value;
  }

  finishPass(): void {
    if (this.passCount > 0 && this.seenInPass !== this.count) throw new Error(`the values changed between passes: ${this.seenInPass} values, ${this.count} in the first pass`);
    this.seenInPass = 0;
    this.passCount++;
    if (this.passCount === 1) return;
    this.root = undefined;
    const finished = this.active;
    this.active = [];
    this.planned = new Map();
    for (const node of finished) if (node.kind === 'collect') this.resolveCollected(node);
    this.plan(finished.filter((node): node is HistogramNode => node.kind === 'histogram'));
  }

  private resolveCollected(node: CollectNode): void {
    const buffer = node.buffer as Float64Array;
    if (node.filled !== node.size) throw new Error(`the values changed between passes: ${node.filled} values in a bucket that held ${node.size}`);
    buffer.sort();
    for (const rank of node.ranks) this.resolved.set(rank, buffer[rank - node.below] as number);
    node.buffer = undefined;
  }

  /** Where each rank of the counted nodes goes next; then which nodes read the next pass. */
  private plan(counted: readonly HistogramNode[]): void {
    const created: SelectionNode[] = [];
    for (const node of counted) {
      const order = [...node.ranks].sort((a, b) => a - b);
      let bucket = 0;
      let before = node.below;
      for (const rank of order) {
        while (before + (node.counts[bucket] as number) <= rank) before += node.counts[bucket++] as number;
        const count = node.counts[bucket] as number;
        const min = node.mins[bucket] as number;
        if (Object.is(min, node.maxs[bucket])) {
          this.resolved.set(rank, min);
          continue;
        }
        const [hi, lo] = childPrefix(node.level, node.prefixHi, node.prefixLo, bucket);
        const level = node.level + 1;
        const key = `${level}:${hi}:${lo}`;
        let child = this.planned.get(key);
        if (child === undefined) {
          child =
            count <= this.bufferLimit
              ? { kind: 'collect', level, prefixHi: hi, prefixLo: lo, below: before, ranks: [], size: count, buffer: undefined, filled: 0 }
              : createHistogramNode(level, hi, lo, before);
          this.planned.set(key, child);
          created.push(child);
        }
        child.ranks.push(rank);
      }
    }
    // Collect the smallest buckets while they fit in the buffer; count the others' values by
    // their next bits instead, which narrows them for a later pass.
    let held = 0;
    for (const node of this.active) if (node.kind === 'collect') held += node.size;
    const bySize = created.sort((a, b) => (a.kind === 'collect' ? a.size : Infinity) - (b.kind === 'collect' ? b.size : Infinity));
    for (const child of bySize) {
      if (child.kind === 'collect' && held + child.size <= this.bufferLimit) {
        child.buffer = new Float64Array(child.size);
        held += child.size;
        this.active.push(child);
        continue;
      }
      const node = child.kind === 'histogram' ? child : createHistogramNode(child.level, child.prefixHi, child.prefixLo, child.below);
      node.ranks = child.ranks;
      this.planned.set(`${node.level}:${node.prefixHi}:${node.prefixLo}`, node);
      this.active.push(node);
    }
    this.peak = Math.max(this.peak, held);
  }
}
