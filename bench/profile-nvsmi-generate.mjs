// Writes a synthetic `nvidia-smi --query-gpu=<BENCH_FIELDS> --format=csv,noheader,nounits -lms 100`
// log for 8 GPUs: rows interleaved by GPU, values drifting like a training job (integers and
// two-decimal power, as nvidia-smi prints them). Seeded, so every run writes the same bytes.
// Bytes are written straight into a buffer: string formatting would make generation slower
// than the tools being measured.
import { Buffer } from 'node:buffer';
import { openSync, writeSync, closeSync } from 'node:fs';

export const BENCH_FIELDS = [
  'timestamp',
  'index',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'temperature.gpu',
  'clocks.sm',
  'clocks.mem',
  'pci.bus_id',
];
export const GPUS = 8;

function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const CHUNK = 4 << 20;

/** Writes about `targetBytes` bytes to `path`; returns { bytes, rows }. */
export function generateQueryLog(path, targetBytes, seed = 20240514) {
  const random = xorshift(seed);
  const fd = openSync(path, 'w');
  const buffer = Buffer.alloc(CHUNK + 256);
  let pos = 0;
  // Constant pieces are copied byte by byte: a native write call per piece costs more.
  const bytesOf = (s) => Uint8Array.from(Buffer.from(s, 'latin1'));
  const put = (b) => {
    for (let i = 0; i < b.length; i++) buffer[pos++] = b[i];
  };
  const SEP = bytesOf(', ');
  const TOTAL = bytesOf(', 40960, ');
  const MCLK = bytesOf(', 1215');
  const int = (n, width = 0) => {
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    for (let pad = width - digits; pad > 0; pad--) buffer[pos++] = 48;
    for (let i = digits - 1; i >= 0; i--) {
      buffer[pos + i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    pos += digits;
  };
  const state = Array.from({ length: GPUS }, (_, i) => ({
    util: 50 + i,
    memu: 20,
    mem: 20000 + i * 100,
    power: 25000 + i * 100,
    temp: 55,
    bus: bytesOf(`, 00000000:${(0x07 + i * 8).toString(16).toUpperCase().padStart(2, '0')}:00.0\n`),
  }));
  const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
  let bytes = 0;
  let rows = 0;
  let ms = Date.UTC(2024, 4, 14, 10, 0, 0);
  let day = new Uint8Array(0);
  let dayStart = -1;
  while (bytes + pos < targetBytes) {
    const msOfDay = ms % 86_400_000;
    if (ms - msOfDay !== dayStart) {
      dayStart = ms - msOfDay;
      const d = new Date(dayStart);
      day = bytesOf(`${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')} `);
    }
    for (let g = 0; g < GPUS; g++) {
      const s = state[g];
      s.util = clamp(s.util + Math.round((random() - 0.5) * 20), 0, 100);
      s.memu = clamp(Math.round(s.util * 0.45 + random() * 6), 0, 100);
      s.mem = clamp(s.mem + Math.round((random() - 0.5) * 400), 500, 40960);
      s.power = clamp(s.power + Math.round((random() - 0.5) * 3000), 5000, 40000);
      s.temp = clamp(s.temp + Math.round((random() - 0.5) * 2), 30, 85);
      const sm = s.util === 0 ? 210 : 1410 - 15 * Math.floor(random() * 4);
      const t = msOfDay + g;
      put(day);
      int(Math.floor(t / 3_600_000), 2);
      buffer[pos++] = 58;
      int(Math.floor(t / 60_000) % 60, 2);
      buffer[pos++] = 58;
      int(Math.floor(t / 1000) % 60, 2);
      buffer[pos++] = 46;
      int(t % 1000, 3);
      put(SEP);
      int(g);
      put(SEP);
      int(s.util);
      put(SEP);
      int(s.memu);
      put(SEP);
      int(s.mem);
      put(TOTAL);
      int(Math.floor(s.power / 100));
      buffer[pos++] = 46;
      int(s.power % 100, 2);
      put(SEP);
      int(s.temp);
      put(SEP);
      int(sm);
      put(MCLK);
      put(s.bus);
      rows++;
      if (pos >= CHUNK) {
        writeSync(fd, buffer, 0, pos);
        bytes += pos;
        pos = 0;
      }
    }
    ms += 100;
  }
  if (pos > 0) {
    writeSync(fd, buffer, 0, pos);
    bytes += pos;
  }
  closeSync(fd);
  return { bytes, rows };
}
