/**
 * Exact order statistics of a stream that is too large to keep but can be read again (a log
 * re-read from disk), in memory that does not grow with the number of values.
 *
 * A finite float64 maps to a 64-bit key whose unsigned order is the values' numeric order (the
 * usual trick: set the sign bit of a positive value, flip every bit of a negative one), the same
 * order as Float64Array.prototype.sort, −0 before +0. The first pass counts the values in 2²⁰
 * buckets of the key's top 20 bits (sign, exponent, 8 mantissa bits). Each wanted rank falls in
 * one bucket; a later pass either collects that bucket's values and sorts them (when they fit:
 * at most `bufferLimit` values are held in all) or counts them by their next 11 bits, which
 * narrows the bucket for the pass after.
 * Every bucket after the first pass also keeps its smallest and largest value: a bucket of equal
 * values (heavy ties, all-equal data) gives its value without being collected, so selection
 * always ends, at the latest when the 11-bit levels reach the key's last bit (20 + 4 × 11 = 64).
 *
 * A caller feeds the same values in every pass (the order may differ), calls finishPass() after
 * each, select() after the first, and reads the values once `needsPass` is false.
 */

/** Bits of the key each level's buckets are made of, from the top. */
const LEVEL_BITS = [20, 11, 11, 11, 11] as const;
/** The top bits a node of each level shares (the levels above it), as masks of the key's two halves. */
const PREFIX_MASK_HI = [0, 0xfffff000, 0xfffffffe, 0xffffffff, 0xffffffff] as const;
const PREFIX_MASK_LO = [0, 0, 0, 0xffc00000, 0xfffff800] as const;

/**
 * 512 KiB of doubles. After the first pass (2²⁰ buckets, 1/256 of an octave each) the buckets of
 * the percentiles of a few million latencies fit together, so such a log takes two passes.
 */
const DEFAULT_SELECTION_BUFFER = 65_536;

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
// The halves of a float64 in memory: little-endian on every platform Node ships for, checked anyway.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The bucket of `level` that the key (hi, lo) falls in. */
function bucketOf(level: number, hi: number, lo: number): number {
  switch (level) {
    case 0:
      return hi >>> 12;
    case 1:
      return (hi >>> 1) & 0x7ff;
    case 2:
      return ((hi & 1) << 10) | (lo >>> 22);
    case 3:
      return (lo >>> 11) & 0x7ff;
    default:
      return lo & 0x7ff;
  }
}

/** The prefix of the node below bucket `b` of a node of `level` with prefix (hi, lo). */
function childPrefix(level: number, hi: number, lo: number, b: number): [number, number] {
  switch (level) {
    case 0:
      return [(hi | (b << 12)) >>> 0, lo];
    case 1:
      return [(hi | (b << 1)) >>> 0, lo];
    case 2:
      return [(hi | (b >>> 10)) >>> 0, (lo | ((b & 0x3ff) << 22)) >>> 0];
    default:
      return [hi, (lo | (b << 11)) >>> 0];
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
  counts: Float64Array | Uint32Array;
  /** Each bucket's extremes, set by its first value (the first pass's node keeps none). */
  mins: Float64Array | undefined;
  maxs: Float64Array | undefined;
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
    mins: new Float64Array(size),
    maxs: new Float64Array(size),
  };
}

/**
 * The first pass's node: 2²⁰ counts (4 MiB, of which only the pages of the octaves the values
 * fall in are ever touched) and no extremes, which would triple that; a bucket of equal values is
 * told by the next level's extremes, in the second pass.
 */
function createRootNode(): HistogramNode {
  return { kind: 'histogram', level: 0, prefixHi: 0, prefixLo: 0, below: 0, ranks: [], counts: new Uint32Array(2 ** LEVEL_BITS[0]), mins: undefined, maxs: undefined };
}

export interface RankSelectorOptions {
  /** The most values held for sorting at once (default 65 536). */
  bufferLimit?: number;
}

/** See the module comment for the protocol: add() every value each pass, finishPass(), select() after the first. */
export class StreamingRankSelector {
  readonly bufferLimit: number;
  private count = 0;
  private passCount = 0;
  private root: HistogramNode | undefined = createRootNode();
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
    const count = node.counts[b] as number;
    const { mins, maxs } = node;
    if (mins === undefined || maxs === undefined) {
      if (count === 0xffffffff) throw new RangeError('more than 4 294 967 295 values in one bucket of a 1/256 octave');
    } else if (count === 0) {
      mins[b] = x;
      maxs[b] = x;
    } else {
      if (x < (mins[b] as number)) mins[b] = x;
      if (x > (maxs[b] as number)) maxs[b] = x;
    }
    node.counts[b] = count + 1;
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
        const min = node.mins?.[bucket];
        if (min !== undefined && Object.is(min, node.maxs?.[bucket])) {
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
