import { loadavg } from 'node:os';
import { NatRig } from '../../src-main/core/net/testing/natRig';
import { RigPeer } from '../../src-main/core/runtime/testing/rigPeer';
import { round, summarize, type BenchContext, type BenchResult } from '../harness';

/**
 * The direct upgrade and files beyond one LAN (issue 19 item 3;
 * docs/protocol.md §14.11, §14.12), rows of the `reach` bench, on a rig of
 * its own: Cy public (`--public`: relays, answers STUN); Ann and Bob behind
 * port-preserving routers, Dan and Eve behind port-randomising ones. Ann and
 * Dan reserve on Cy; Bob reaches Ann, Eve reaches Dan, through Cy.
 *
 * - direct.upgraded_share.port_preserving / .port_randomising: Bob (Eve)
 *   goes offline and online `TRIES` times; each time his node redials Ann
 *   (Dan) through Cy and tries WebRTC; the share of tries that ended with a
 *   direct connection.
 * - direct.latency / relayed.latency (p50/p99): 200 sequential 1 KB texts,
 *   send call → commit at the receiver, Bob → Ann over the WebRTC path and
 *   Eve → Dan through Cy.
 * - direct.file / relayed.file: 100 MB, Bob → Ann (direct) and Eve → Dan
 *   (relayed), from the send call (staging and encryption included) to the
 *   receiver's file complete (polled every 100 ms), in MB/s.
 * - direct.file_on_webrtc / relayed.file_on_webrtc: the path the file took,
 *   as the share of the receiver's polls that found its file streams
 *   (`/parley/file/1.0.0`) open on the WebRTC connection rather than the
 *   relayed one (1 = all of it direct; 0 = all of it through the relay).
 * - direct.load1: the 1-minute load average at the end (2 shared cores).
 */

const TRIES = Number(process.env['PARLEY_BENCH_DIRECT_TRIES'] ?? 5);
const TEXTS = 200;
const FILE_MB = Number(process.env['PARLEY_BENCH_FILE_MB'] ?? 100);
const BODY = 'x'.repeat(1_000);

async function until(check: () => Promise<boolean>, ms: number, what: string, stepMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

const viaWebRtc = async (from: RigPeer, to: RigPeer) =>
  (await from.connections()).some((c) => c.peerId === to.peerId && c.remoteAddress.includes('/webrtc'));

/** One offline/online of `dialler`: true when its redial through the relay moved to a direct path. */
async function upgradeTry(dialler: RigPeer, other: RigPeer): Promise<boolean> {
  await dialler.offline();
  await dialler.online();
  await until(
    async () => {
      const m = await dialler.direct();
      return (m?.upgraded ?? 0) + (m?.failed ?? 0) >= 1;
    },
    60_000,
    `${dialler.name}'s WebRTC try`,
    200,
  );
  return (await dialler.direct())?.upgraded === 1 && viaWebRtc(dialler, other);
}

async function latency(from: RigPeer, to: RigPeer, dm: number, tag: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < TEXTS; i++) {
    const sentAt = await from.sendTimed(dm, `${tag}-${i}-${BODY}`);
    const at = await to.waitCommitted(`${tag}-${i}-`, 1, 60_000);
    samples.push(at - sentAt);
  }
  return samples;
}

const FILE_PROTOCOL = '/parley/file/1.0.0';

/** MB/s of one file from `from` to `to`, send call → complete at the receiver, and the path it took. */
async function fileRate(
  from: RigPeer,
  to: RigPeer,
  fromDm: number,
  toDm: number,
  seed: string,
): Promise<{ rate: number; onWebRtc: number }> {
  const path = { webrtc: 0, relayed: 0 };
  const samplePath = async (): Promise<void> => {
    for (const c of await to.connections()) {
      if (c.peerId !== from.peerId || (c.streams[FILE_PROTOCOL] ?? 0) === 0) continue;
      if (c.remoteAddress.includes('/webrtc')) path.webrtc += 1;
      else path.relayed += 1;
    }
  };
  const size = FILE_MB * 1024 * 1024;
  const t0 = performance.timeOrigin + performance.now();
  const sent = await from.sendFile(fromDm, size, seed);
  await until(async () => (await to.fileState(toDm, sent.uid)) !== null, 60_000, 'the file message');
  const first = await to.fileState(toDm, sent.uid);
  if (first && first.state !== 'downloading' && first.state !== 'complete')
    await to.download(first.attachmentId);
  await until(
    async () => {
      await samplePath();
      return (await to.fileState(toDm, sent.uid))?.state === 'complete';
    },
    600_000,
    'the file',
    100,
  );
  const seconds = (performance.timeOrigin + performance.now() - t0) / 1000;
  const got = await to.fileState(toDm, sent.uid);
  if ((await to.fileHash(got?.attachmentId ?? -1, size)) !== sent.sha256) throw new Error('file differs');
  const samples = path.webrtc + path.relayed;
  return { rate: FILE_MB / seconds, onWebRtc: samples === 0 ? 0 : path.webrtc / samples };
}

export async function directRows(ctx: BenchContext): Promise<BenchResult[]> {
  const rig = NatRig.create({
    publicHosts: ['c'],
    homes: [
      { name: 'a', nat: 'port-preserving' },
      { name: 'b', nat: 'port-preserving' },
      { name: 'd', nat: 'port-randomising' },
      { name: 'e', nat: 'port-randomising' },
    ],
  });
  ctx.defer(() => rig.dispose());
  const [cy, ann, bob, dan, eve] = await Promise.all([
    RigPeer.start(rig, 'c', {
      name: 'Cy',
      production: true,
      port: 4001,
      publicAddresses: [`/ip4/${rig.addressOf('c')}/tcp/4001`],
    }),
    RigPeer.start(rig, 'a', { name: 'Ann', production: true }),
    RigPeer.start(rig, 'b', { name: 'Bob', production: true }),
    RigPeer.start(rig, 'd', { name: 'Dan', production: true }),
    RigPeer.start(rig, 'e', { name: 'Eve', production: true }),
  ]);
  const peers = [cy, ann, bob, dan, eve];
  ctx.defer(() => Promise.all(peers.map((p) => p.stop())));
  await Promise.all(peers.map((p) => p.online()));
  await ann.accept(await cy.invite());
  await dan.accept(await cy.invite());
  await until(
    async () => (await ann.relays()).includes(cy.peerId) && (await dan.relays()).includes(cy.peerId),
    60_000,
    'reservations on Cy',
  );
  const bobDm = await bob.accept(await ann.invite());
  const eveDm = await eve.accept(await dan.invite());
  await until(
    async () => (await ann.dmWith(bob)) !== null && (await dan.dmWith(eve)) !== null,
    60_000,
    'the DMs',
  );
  const annDm = (await ann.dmWith(bob)) ?? -1;
  const danDm = (await dan.dmWith(eve)) ?? -1;
  ctx.log('direct rig up');

  let preserving = 0;
  let randomising = 0;
  for (let i = 0; i < TRIES; i++) {
    if (await upgradeTry(bob, ann)) preserving += 1;
    if (await upgradeTry(eve, dan)) randomising += 1;
    ctx.log(`upgrade try ${i + 1}/${TRIES}: port-preserving ${preserving}, port-randomising ${randomising}`);
  }

  await until(() => viaWebRtc(bob, ann), 60_000, 'Bob direct to Ann');
  const directLatency = await latency(bob, ann, bobDm, 'dlat');
  const relayedLatency = await latency(eve, dan, eveDm, 'rlat');
  if (!(await viaWebRtc(bob, ann)) || (await viaWebRtc(eve, dan))) throw new Error('paths changed');
  ctx.log('latency done');

  const directFile = await fileRate(bob, ann, bobDm, annDm, 'direct-file');
  ctx.log(`direct file: ${round(directFile.rate)} MB/s, on WebRTC ${round(directFile.onWebRtc)}`);
  const relayedFile = await fileRate(eve, dan, eveDm, danDm, 'relayed-file');
  ctx.log(`relayed file: ${round(relayedFile.rate)} MB/s, on WebRTC ${round(relayedFile.onWebRtc)}`);
  if (!(await viaWebRtc(bob, ann)) || (await viaWebRtc(eve, dan))) throw new Error('paths changed');

  return [
    { metric: 'direct.upgraded_share.port_preserving', value: round(preserving / TRIES), unit: 'ratio' },
    { metric: 'direct.upgraded_share.port_randomising', value: round(randomising / TRIES), unit: 'ratio' },
    ...summarize('direct.latency', directLatency, ['p50', 'p99']),
    ...summarize('relayed_path.latency', relayedLatency, ['p50', 'p99']),
    { metric: 'direct.file_100MB', value: round(directFile.rate), unit: 'MB/s' },
    { metric: 'relayed.file_100MB', value: round(relayedFile.rate), unit: 'MB/s' },
    { metric: 'direct.file_on_webrtc', value: round(directFile.onWebRtc), unit: 'ratio' },
    { metric: 'relayed.file_on_webrtc', value: round(relayedFile.onWebRtc), unit: 'ratio' },
    { metric: 'direct.leaked_packets', value: rig.leakedPackets(), unit: 'packets' },
    { metric: 'direct.load1', value: round(loadavg()[0] ?? 0), unit: 'load' },
  ];
}
