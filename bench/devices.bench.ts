import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { historyBench } from './devices/history';
import { linkBench } from './devices/linkCanSend';
import { removeBench } from './devices/removeGoneAll';
import { sendBench } from './devices/sendGroup';
import { round, type BenchContext, type BenchResult } from './harness';

/**
 * Issue 18's benchmarks (docs/protocol.md §13.13, DESIGN.md §5) in one
 * results file, bench/results/devices.json, one part each:
 *
 * - `history`: history.total, 100,000 messages and 100 MB of files to a newly
 *   linked device (≤ 15 s; devices/history.ts);
 * - `send`: send.group_50x3, one message in a group of 50 people × 3 devices
 *   (≤ 5 ms; devices/sendGroup.ts), beside the 1,000-member single-device
 *   figure of the same run;
 * - `remove`: remove.gone_all, a device in 50 groups removed → gone from all
 *   with the members online (≤ 5 s; devices/removeGoneAll.ts);
 * - `link`: link.can_send, link → the new device can send (≤ 3 s, no history;
 *   devices/linkCanSend.ts).
 *
 * PARLEY_BENCH_DEVICES (default: every part) names the parts to run, e.g.
 * `send,remove`. The runner writes the whole file, so the metrics of the parts
 * not run are kept from the file as it was (each part owns its own metric
 * names); a part that runs replaces all of its metrics. Each part records the
 * load average at its start and end (`<part>.loadavg.1min.start/end`): the
 * machine is shared.
 */

const PARTS = {
  history: historyBench,
  send: sendBench,
  remove: removeBench,
  link: linkBench,
} as const;
type Part = keyof typeof PARTS;

/** Which part a metric belongs to (the first files had unprefixed load averages: history's). */
function partOf(metric: string): Part | null {
  for (const part of Object.keys(PARTS) as Part[]) if (metric.startsWith(`${part}.`)) return part;
  if (metric === 'raw_stream_100mb_ms' || metric.startsWith('loadavg.')) return 'history';
  return null;
}

function wantedParts(): Part[] {
  const raw = process.env.PARLEY_BENCH_DEVICES;
  if (!raw) return Object.keys(PARTS) as Part[];
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) if (!(n in PARTS)) throw new Error(`unknown devices bench part: ${n}`);
  return names as Part[];
}

function previous(ctx: BenchContext): BenchResult[] {
  const file = join(ctx.root, 'bench', 'results', 'devices.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { results: BenchResult[] }).results;
}

const load = (metric: string): BenchResult => ({ metric, value: round(loadavg()[0] ?? 0), unit: 'load' });

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const parts = wantedParts();
  // Read before running: a failed run must not leave half a file (scripts/bench.mjs deletes it).
  const kept = previous(ctx).filter((r) => {
    const part = partOf(r.metric);
    return part !== null && !parts.includes(part);
  });
  const fresh: BenchResult[] = [];
  for (const part of parts) {
    ctx.log(`part ${part}`);
    fresh.push(load(`${part}.loadavg.1min.start`));
    fresh.push(...(await PARTS[part](ctx)));
    fresh.push(load(`${part}.loadavg.1min.end`));
  }
  // In the parts' order, kept ones where their part stands.
  const order = Object.keys(PARTS) as Part[];
  return [...kept, ...fresh].sort(
    (a, b) => order.indexOf(partOf(a.metric) ?? 'history') - order.indexOf(partOf(b.metric) ?? 'history'),
  );
}
