/**
 * A messaging peer in its own process, for a namespace rig (net/testing/
 * netnsRig.ts): started by `RigPeer` inside a host's namespace with
 * `ip netns exec … node --import tsx rigPeerMain.ts '<config json>'`, it runs
 * one MessagingPeer (real encrypted database, real node on 0.0.0.0) and
 * answers the parent's requests over the IPC channel. Test-only.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { DEFAULT_DELIVERY_OPTIONS } from '../../delivery/deliveryService';
import { fileView } from '../../handlers/filePresenter';
import { DEFAULT_BACKOFF } from '../../net/backoff';
import { makeMessagingPeer, type MessagingPeer } from './messagingPeer';
import type { RigPeerConfig, RigRequest, RigResponse } from './rigPeerProtocol';

const config = JSON.parse(process.argv[2] ?? '{}') as RigPeerConfig;

const publicAddresses = {
  ...(config.publicAddresses ? { publicAddresses: config.publicAddresses } : {}),
  ...(config.upnp ? { upnp: true } : {}),
};
/** PARLEY_RIG_LOG=1: the peer's net and delivery events on stderr, stamped on the shared clock (debugging a rig). */
const traceLogger = process.env['PARLEY_RIG_LOG']
  ? {
      logger: {
        log: (level: string, event: string, fields?: Record<string, unknown>) => {
          if (!/^(net|delivery)\./.test(event)) return;
          const at = (performance.timeOrigin + performance.now()).toFixed(0);
          process.stderr.write(`${at} ${config.name} ${level} ${event} ${JSON.stringify(fields ?? {})}\n`);
        },
      },
    }
  : {};
const peer: MessagingPeer = makeMessagingPeer(config.name, {
  ...traceLogger,
  host: '0.0.0.0',
  ...(config.port ? { port: config.port } : {}),
  // Production timings unless the test asks for fast ones.
  ...(config.production
    ? {
        node: {
          dialTimeoutMs: 5_000,
          dialGraceMs: 2_000,
          reconnect: DEFAULT_BACKOFF,
          addressRefreshMs: 5_000,
          ...publicAddresses,
        },
        delivery: DEFAULT_DELIVERY_OPTIONS,
      }
    : { node: publicAddresses }),
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const MiB = 1024 * 1024;
/** A keystream (AES-256-CTR keyed by the seed's SHA-256): the same bytes for the same seed, fast. */
const seededBytes = (seed: string) =>
  createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));

/** Milliseconds on a clock every process of this machine shares. */
const clock = () => performance.timeOrigin + performance.now();

/**
 * When each incoming text was committed, by body. The insert runs inside the
 * receiving transaction; the stamp is taken once that transaction (and any
 * batch transaction around it) has committed.
 */
const committed = new Map<string, number>();
/** Callers waiting for texts with a prefix to be committed (waitCommitted), told on every stamp. */
const waiters = new Set<{ prefix: string; left: number; lastAt: number; done: (at: number) => void }>();
function stamped(body: string, at: number): void {
  committed.set(body, at);
  for (const w of waiters) {
    if (!body.startsWith(w.prefix)) continue;
    w.left -= 1;
    w.lastAt = Math.max(w.lastAt, at);
    if (w.left <= 0) {
      waiters.delete(w);
      w.done(w.lastAt);
    }
  }
}
const insert = peer.store.messages.insert.bind(peer.store.messages);
peer.store.messages.insert = (row) => {
  const result = insert(row);
  const body = row.body;
  if (!row.outgoing && typeof body === 'string') {
    const stamp = () => {
      if (peer.t.db.inTransaction) setImmediate(stamp);
      else if (!committed.has(body)) stamped(body, clock());
    };
    queueMicrotask(stamp);
  }
  return result;
};

function contactIdOf(identityHex: string): number | null {
  const r = peer.t.db
    .prepare('SELECT id FROM contacts WHERE identity_key = ?')
    .get(Buffer.from(identityHex, 'hex')) as { id: number } | undefined;
  return r?.id ?? null;
}

async function handle(request: RigRequest): Promise<unknown> {
  switch (request.op) {
    case 'online': {
      const m = await peer.online();
      return { peerId: m.node.peerId, identityKey: hex(peer.identity.publicKey) };
    }
    case 'offline':
      await peer.offline();
      return null;
    case 'invite':
      return peer.running().service.createInvite();
    case 'accept':
      return (await peer.running().service.acceptInvite(request.invite)).conversationId;
    case 'dmWith': {
      const id = contactIdOf(request.identityKey);
      const r = peer.t.db
        .prepare(`SELECT id FROM conversations WHERE kind = 'dm' AND contact_id = ?`)
        .get(id) as { id: number } | undefined;
      return r?.id ?? null;
    }
    case 'send': {
      const sent = await peer.running().service.sendText(request.conversationId, request.body);
      return sent.id;
    }
    case 'bodies':
      return peer.messages(request.conversationId).map((m) => ({
        body: m.body ?? '',
        outgoing: m.outgoing,
        state: m.state,
      }));
    case 'connected':
      return peer.running().node.isConnected(request.peerId);
    case 'connection': {
      const id = contactIdOf(request.identityKey);
      return (
        peer
          .running()
          .network.presence.list()
          .find((c) => c.contactId === id)?.connection ?? null
      );
    }
    case 'connections':
      return peer.running().node.connections();
    case 'knows': {
      const relays = peer.running().directory.relaysOf(request.peerId);
      return relays.includes(request.relay);
    }
    case 'relays':
      return peer.running().node.relays();
    case 'addresses':
      return peer.running().node.addresses();
    case 'reachable':
      return peer.running().node.isReachable();
    case 'direct':
      return peer.running().node.directMetrics();
    case 'sendFile': {
      const files = peer.running().files;
      const { stageId } = files.stageBegin(`${request.seed}.bin`, request.size, 'application/octet-stream');
      const hash = createHash('sha256');
      const stream = seededBytes(request.seed);
      for (let off = 0; off < request.size; off += MiB) {
        const piece = stream.update(Buffer.alloc(Math.min(MiB, request.size - off)));
        hash.update(piece);
        files.stageChunk(stageId, off, piece);
      }
      const message = await files.stageCommit(stageId, request.conversationId);
      return { uid: message.uid, sha256: hash.digest('hex'), sentAt: clock() };
    }
    case 'fileState': {
      const message = peer.messages(request.conversationId).find((m) => m.uid === request.uid);
      const file = message ? peer.running().files.forMessages([message.id])[0] : undefined;
      const view = file ? fileView(file) : undefined;
      return view ? { attachmentId: view.attachmentId, state: view.state, bytesDone: view.bytesDone } : null;
    }
    case 'download':
      return fileView(peer.running().files.download(request.attachmentId)).state;
    case 'fileHash': {
      const hash = createHash('sha256');
      for (let off = 0; off < request.size; off += MiB)
        hash.update(peer.running().files.read(request.attachmentId, off, MiB).data);
      return hash.digest('hex');
    }
    case 'sendTimed': {
      const at = clock();
      await peer.running().service.sendText(request.conversationId, request.body);
      return at;
    }
    case 'burst': {
      // Up to `concurrency` sendText calls in flight, issued in order (as a script would send).
      const first = clock();
      let next = 0;
      const worker = async () => {
        while (next < request.count) {
          const i = next++;
          await peer.running().service.sendText(request.conversationId, `${request.prefix}${i}`);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, worker));
      return first;
    }
    case 'waitCommitted': {
      const already = [...committed].filter(([b]) => b.startsWith(request.prefix));
      const lastAt = Math.max(0, ...already.map(([, at]) => at));
      if (already.length >= request.count) return lastAt;
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`only part of ${request.prefix}* committed in time`));
        }, request.timeoutMs);
        const waiter = {
          prefix: request.prefix,
          left: request.count - already.length,
          lastAt,
          done: (at: number) => {
            clearTimeout(timer);
            resolve(at);
          },
        };
        waiters.add(waiter);
      });
    }
    case 'committedAt':
      return request.bodies.map((b) => committed.get(b) ?? null);
  }
}

process.on('message', (message: RigRequest) => {
  void handle(message).then(
    (value): void => {
      process.send?.({ id: message.id, ok: true, value } satisfies RigResponse);
    },
    (err: unknown): void => {
      process.send?.({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    },
  );
});

// The parent went away (test over, crashed): stop cleanly, delete the temporary profile.
process.on('disconnect', () => {
  void peer.dispose().finally(() => process.exit(0));
});

process.send?.({ id: 0, ok: true, value: 'ready' } satisfies RigResponse);
