import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { makeMessagingPeer } from '../../src-main/core/runtime/testing/messagingPeer';

/**
 * Bob for `remove.gone_all` (devices/removeGoneAll.ts) on his own thread:
 * his own event loop, database and node, as the member's own computer would
 * be, so that the remover's 50 commits and his processing of them overlap
 * the way they do between two machines instead of taking turns on one
 * thread. Answers the messages below; every time is on the machine-wide clock
 * (performance.timeOrigin + now), comparable across threads.
 */

export type ToMember =
  { op: 'accept'; invite: string } | { op: 'watch'; phone: string; groups: number } | { op: 'close' };
export type FromMember =
  | { op: 'ready' }
  | { op: 'accepted'; identityKey: string }
  | { op: 'watching' }
  | { op: 'gone'; at: number[] }
  | { op: 'closed' }
  | { op: 'error'; message: string };

if (!parentPort) throw new Error('memberWorker.ts runs only as a worker thread');
const port = parentPort;
const post = (m: FromMember) => port.postMessage(m);
const now = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Bob timed out: ${what}`);
    await pause(5);
  }
}

const bob = makeMessagingPeer('Bob', {
  node: { keyPackagePerPeer: { capacity: 100, refillPerSecond: 10 } },
});
const hasLeaf = (id: number, peerId: string) =>
  bob
    .running()
    .service.groups.state(id)
    ?.members.some((m) => m.peerId === peerId) ?? false;

async function handle(m: ToMember): Promise<void> {
  if (m.op === 'accept') {
    await bob.running().service.acceptInvite(m.invite);
    post({ op: 'accepted', identityKey: bob.identity.publicKey.toString('hex') });
  } else if (m.op === 'watch') {
    await until(() => bob.groups().length === m.groups, 120_000, 'in every group');
    const ids = bob.groups();
    await until(() => ids.every((id) => hasLeaf(id, m.phone)), 120_000, 'the phone in every group');
    post({ op: 'watching' });
    const gone = new Map<number, number>();
    await until(
      () => {
        for (const id of ids) if (!gone.has(id) && !hasLeaf(id, m.phone)) gone.set(id, now());
        return gone.size === ids.length;
      },
      120_000,
      'the phone gone from every group',
    );
    post({ op: 'gone', at: [...gone.values()] });
  } else {
    await bob.dispose();
    post({ op: 'closed' });
  }
}

port.on('message', (m: ToMember) => {
  handle(m).catch((err: unknown) =>
    post({ op: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
bob
  .online()
  .then(() => post({ op: 'ready' }))
  .catch((err: unknown) => post({ op: 'error', message: err instanceof Error ? err.message : String(err) }));
