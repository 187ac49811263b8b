import type { BenchContext, BenchResult } from './harness';
import { adminChangeMetrics, restoreMetrics } from './reliability/groups';
import { blackHoleMetrics, lossMetrics, restartMetrics } from './reliability/network';

/**
 * Messages arrive after everyday events (issue 13), against DESIGN.md §5:
 * - "both peers restarted at once → first message delivered p95 ≤ 3 s": restart_both*.first_message.p95
 * - "dead or black-holed connection → detected and redialed ≤ 15 s": blackhole.redialed.max
 * - delivery under 5 % loss: loss5.latency p50/p99, loss5.throughput (ratios to the clean link)
 * - "restore → conversations writable, members online ≤ 5 s": restore.writable.max
 * - "group admin change with every member online → applied ≤ 1 s": admin_change.applied.max
 * Each part is a function of its own in bench/reliability/ (network.ts: restarts, black holes,
 * loss; groups.ts: restore, admin changes).
 * The black-hole and loss parts need root (network namespaces): run
 *   ../shared/tools/in-netns npm run bench -- reliability
 */
export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  return [
    ...(await restartMetrics(ctx)),
    ...(await blackHoleMetrics(ctx)),
    ...(await lossMetrics(ctx)),
    ...(await restoreMetrics(ctx)),
    ...(await adminChangeMetrics(ctx)),
  ];
}
