import type { Answer, Packet } from 'dns-packet';
import multicastDns from 'multicast-dns';
import { errorFields, type Logger } from '../util/logger';
import { beaconEpoch, beaconToken, openBeacon, sealBeacon, BEACON_TOKEN_BYTES } from './beaconCodec';
import { peerTag } from './protocolService';

/**
 * mDNS for contacts (issue 13): a device announces itself on the LAN in a way
 * only its contacts recognise (net/beaconCodec.ts), so contacts find each
 * other's current addresses even when "Discoverable on this network" is off,
 * while strangers learn nothing they could not see from the packet itself.
 *
 * DNS-SD shape (RFC 6763), service `_parley-contacts._udp.local`:
 *   PTR  _parley-contacts._udp.local → <token hex>._parley-contacts._udp.local
 *   TXT  <token hex>._parley-contacts._udp.local → the sealed addresses, in ≤ 255-byte strings
 * A device queries for the service when it starts and every interval, answers
 * queries (after 20–120 ms, RFC 6762 §6, at most once a second) and announces
 * unasked when its addresses or its key change. It is a separate socket from
 * the discovery mDNS (net/mdnsSwitch.ts), which "Discoverable" switches.
 */

export const PARLEY_BEACON_SERVICE = '_parley-contacts._udp.local';

export interface LanBeaconHooks {
  /** Our beacon key and the addresses to announce; null when there is nothing to announce yet. */
  local(): { key: Uint8Array; addresses: string[] } | null;
  /** Our contacts' devices' beacon keys, by PeerId. */
  known(): Map<string, Uint8Array>;
  /** A contact's device announced these addresses (checked and decrypted). */
  onSighting(peer: string, addresses: string[]): void;
}

export interface LanBeaconOptions {
  serviceName?: string;
  /** How often to query, ms (default 10 s). */
  intervalMs?: number;
  clock?: () => number;
  logger: Logger;
}

/** Answers processed per packet; the rest are ignored (a packet is not a work queue). */
const MAX_RECORDS_PER_PACKET = 32;
const MIN_ANSWER_GAP_MS = 1_000;
const TTL_SECONDS = 120;

export class LanBeacon {
  private mdns: multicastDns.MulticastDNS | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private answerTimer: ReturnType<typeof setTimeout> | null = null;
  private lastAnswerAt = 0;
  /** Token (hex) → the contact device it belongs to, for the epochs around now. */
  private tokens = new Map<string, { peer: string; key: Uint8Array }>();
  private tokensEpoch = -1;
  private readonly service: string;
  private readonly clock: () => number;

  /** Registered before the node starts (handle()); without hooks the beacon never opens a socket. */
  private hooks: LanBeaconHooks | null;

  constructor(
    hooks: LanBeaconHooks | null,
    private readonly options: LanBeaconOptions,
  ) {
    this.hooks = hooks;
    this.service = (options.serviceName ?? PARLEY_BEACON_SERVICE).toLowerCase();
    this.clock = options.clock ?? Date.now;
  }

  get running(): boolean {
    return this.mdns !== null;
  }

  /**
   * Registers what the beacon announces and recognises (the address book,
   * built on top of the node). Only while it is not running.
   */
  handle(hooks: LanBeaconHooks): void {
    if (this.mdns) throw new Error('the beacon hooks are registered before the node starts');
    this.hooks = hooks;
  }

  start(): void {
    if (this.mdns || this.hooks === null) return;
    const mdns = multicastDns();
    this.mdns = mdns;
    mdns.on('response', (packet: Packet) => this.onResponse(packet));
    mdns.on('query', (packet: Packet) => this.onQuery(packet));
    mdns.on('error', (err: unknown) => this.options.logger.log('warn', 'net.beacon.error', errorFields(err)));
    mdns.on('warning', (err: unknown) =>
      this.options.logger.log('debug', 'net.beacon.warning', errorFields(err)),
    );
    this.knownChanged();
    this.query();
    this.announce();
    this.timer = setInterval(() => this.query(), this.options.intervalMs ?? 10_000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.timer = null;
    this.answerTimer = null;
    this.mdns?.destroy();
    this.mdns = null;
  }

  /** Contacts' keys changed: recompute the tokens we recognise. */
  knownChanged(): void {
    this.tokensEpoch = -1;
    this.refreshTokens();
  }

  /** Our addresses or key changed: tell the LAN now instead of at the next query. */
  announce(): void {
    const mdns = this.mdns;
    const local = this.hooks?.local();
    if (!mdns || !local || local.addresses.length === 0) return;
    const { token, sealed } = sealBeacon(local.key, beaconEpoch(this.clock()), local.addresses);
    const instance = `${Buffer.from(token).toString('hex')}.${this.service}`;
    const chunks: Buffer[] = [];
    for (let at = 0; at < sealed.length; at += 255) chunks.push(Buffer.from(sealed.subarray(at, at + 255)));
    mdns.respond({
      answers: [{ name: this.service, type: 'PTR', ttl: TTL_SECONDS, data: instance }],
      additionals: [{ name: instance, type: 'TXT', ttl: TTL_SECONDS, data: chunks }],
    });
    this.lastAnswerAt = this.clock();
  }

  private query(): void {
    this.mdns?.query({ questions: [{ name: this.service, type: 'PTR' }] });
  }

  private refreshTokens(): void {
    const epoch = beaconEpoch(this.clock());
    if (epoch === this.tokensEpoch) return;
    const tokens = new Map<string, { peer: string; key: Uint8Array }>();
    for (const [peer, key] of this.hooks?.known() ?? []) {
      // One epoch either side: two devices' clocks may disagree by minutes.
      for (const e of [epoch - 1, epoch, epoch + 1]) {
        tokens.set(Buffer.from(beaconToken(key, e)).toString('hex'), { peer, key });
      }
    }
    this.tokens = tokens;
    this.tokensEpoch = epoch;
  }

  private onQuery(packet: Packet): void {
    const asked = (packet.questions ?? []).some(
      // PTR, or ANY (255, which dns-packet's types leave out).
      (q) => q.name.toLowerCase() === this.service && (q.type === 'PTR' || String(q.type) === 'ANY'),
    );
    if (!asked || this.answerTimer) return;
    const gap = Math.max(0, this.lastAnswerAt + MIN_ANSWER_GAP_MS - this.clock());
    this.answerTimer = setTimeout(
      () => {
        this.answerTimer = null;
        this.announce();
      },
      gap + 20 + Math.random() * 100,
    );
    this.answerTimer.unref?.();
  }

  private onResponse(packet: Packet): void {
    this.refreshTokens();
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])].slice(
      0,
      MAX_RECORDS_PER_PACKET,
    );
    for (const record of records) {
      try {
        this.consider(record);
      } catch (err) {
        this.options.logger.log('debug', 'net.beacon.bad_record', errorFields(err));
      }
    }
  }

  private consider(record: Answer): void {
    if (record.type !== 'TXT') return;
    const name = record.name.toLowerCase();
    const suffix = `.${this.service}`;
    if (!name.endsWith(suffix)) return;
    const label = name.slice(0, -suffix.length);
    if (label.length !== BEACON_TOKEN_BYTES * 2) return;
    const known = this.tokens.get(label);
    if (!known) return;
    const data = Array.isArray(record.data) ? record.data : [record.data];
    const sealed = Buffer.concat(data.map((d) => (typeof d === 'string' ? Buffer.from(d) : d)));
    const addresses = openBeacon(known.key, Buffer.from(label, 'hex'), sealed);
    if (!addresses || addresses.length === 0) return;
    this.options.logger.log('debug', 'net.beacon.sighting', { peer: peerTag(known.peer) });
    this.hooks?.onSighting(known.peer, addresses);
  }
}
