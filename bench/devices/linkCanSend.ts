import type { BenchContext, BenchResult } from '../harness';

/** The `link` part of bench/devices.bench.ts. */
export async function linkBench(_ctx: BenchContext): Promise<BenchResult[]> {
  throw new Error('not yet');
}
