import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DirectUpgradeCounts } from '../../net/directUpgrade';
import type { ConnectionInfo } from '../../net/parleyNode';
import type { RigHosts } from '../../net/testing/rigProbe';
import type { ContactConnection } from '../../presence/presenceService';
import type { RigPeerConfig, RigRequest, RigResponse } from './rigPeerProtocol';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');
const MAIN = join(here, 'rigPeerMain.ts');
const REQUEST_TIMEOUT_MS = 180_000;

type Op = RigRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface StoredText {
  body: string;
  outgoing: boolean;
  state: string;
}

/**
 * The parent's handle on a messaging peer running in its own process inside
 * a rig host's namespace (rigPeerMain.ts). Every call is a request over the
 * IPC channel, bounded in time. Test-only.
 */
export class RigPeer {
  peerId = '';
  identityKey = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: RigResponse) => {
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    this.exited = new Promise((done) => child.once('exit', () => done()));
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited`));
      this.waiting.clear();
    });
  }

  /** Starts the peer process in `host`'s namespace; resolves once it is ready (not yet online). */
  static async start(rig: RigHosts, host: string, config: RigPeerConfig): Promise<RigPeer> {
    const [command, ...args] = rig.wrap(host, [
      process.execPath,
      '--import',
      'tsx',
      MAIN,
      JSON.stringify(config),
    ]);
    const child = spawn(command as string, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const peer = new RigPeer(config.name, child);
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`${config.name} did not start`)), 90_000);
      child.once('message', () => {
        clearTimeout(timer);
        ready();
      });
      child.once('exit', (code) => fail(new Error(`${config.name} exited early (${code})`)));
    });
    return peer;
  }

  private call<T>(op: Op): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${op.op} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolvePromise(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, ...op });
    });
  }

  async online(): Promise<void> {
    const me = await this.call<{ peerId: string; identityKey: string }>({ op: 'online' });
    this.peerId = me.peerId;
    this.identityKey = me.identityKey;
  }

  offline(): Promise<void> {
    return this.call({ op: 'offline' });
  }

  invite(): Promise<string> {
    return this.call({ op: 'invite' });
  }

  accept(invite: string): Promise<number> {
    return this.call({ op: 'accept', invite });
  }

  dmWith(other: RigPeer): Promise<number | null> {
    return this.call({ op: 'dmWith', identityKey: other.identityKey });
  }

  send(conversationId: number, body: string): Promise<number> {
    return this.call({ op: 'send', conversationId, body });
  }

  texts(conversationId: number): Promise<StoredText[]> {
    return this.call({ op: 'bodies', conversationId });
  }

  isConnected(other: RigPeer): Promise<boolean> {
    return this.call({ op: 'connected', peerId: other.peerId });
  }

  connectionOf(other: RigPeer): Promise<ContactConnection | null> {
    return this.call({ op: 'connection', identityKey: other.identityKey });
  }

  connections(): Promise<ConnectionInfo[]> {
    return this.call({ op: 'connections' });
  }

  /** Whether this peer knows `other` names `relay` among its relays (its contacts). */
  knowsRelay(other: RigPeer, relay: RigPeer): Promise<boolean> {
    return this.call({ op: 'knows', peerId: other.peerId, relay: relay.peerId });
  }

  /** Relays this peer holds a reservation on (issue 19), by PeerId. */
  relays(): Promise<string[]> {
    return this.call({ op: 'relays' });
  }

  addresses(): Promise<string[]> {
    return this.call({ op: 'addresses' });
  }

  /** Sends a file of `size` bytes made from `seed`; its message uid, SHA-256 and when the send began. */
  sendFile(
    conversationId: number,
    size: number,
    seed: string,
  ): Promise<{ uid: string; sha256: string; sentAt: number }> {
    return this.call({ op: 'sendFile', conversationId, size, seed });
  }

  /** The receiving side's view of the file in the message `uid`, or null before it arrived. */
  fileState(
    conversationId: number,
    uid: string,
  ): Promise<{ attachmentId: number; state: string; bytesDone: number } | null> {
    return this.call({ op: 'fileState', conversationId, uid });
  }

  /** Starts a download the auto-download limit held back; resolves with the file's state. */
  download(attachmentId: number): Promise<string> {
    return this.call({ op: 'download', attachmentId });
  }

  /** SHA-256 (hex) of a stored file's plaintext. */
  fileHash(attachmentId: number, size: number): Promise<string> {
    return this.call({ op: 'fileHash', attachmentId, size });
  }

  /** Direct upgrades over WebRTC this peer tried (issue 19). */
  direct(): Promise<DirectUpgradeCounts | null> {
    return this.call({ op: 'direct' });
  }

  /** Whether contacts confirmed a public address of this peer (issue 19). */
  reachable(): Promise<boolean> {
    return this.call({ op: 'reachable' });
  }

  /** Sends a text; resolves with when the send began (machine-wide clock, ms). */
  sendTimed(conversationId: number, body: string): Promise<number> {
    return this.call({ op: 'sendTimed', conversationId, body });
  }

  /** Sends `count` texts `${prefix}${i}` with `concurrency` calls in flight; resolves with the first send's time. */
  burst(conversationId: number, prefix: string, count: number, concurrency: number): Promise<number> {
    return this.call({ op: 'burst', conversationId, prefix, count, concurrency });
  }

  /** Waits until `count` incoming texts starting with `prefix` are committed; resolves with the last one's time. */
  waitCommitted(prefix: string, count: number, timeoutMs: number): Promise<number> {
    return this.call({ op: 'waitCommitted', prefix, count, timeoutMs });
  }

  /** When each of these incoming texts was committed (machine-wide clock), or null. */
  committedAt(bodies: string[]): Promise<(number | null)[]> {
    return this.call({ op: 'committedAt', bodies });
  }

  /** Ends the process (it stops its peer and deletes its profile); by PID, bounded. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
