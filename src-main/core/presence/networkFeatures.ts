import type { ParleyProtocolNode } from '../net/parleyProtocols';
import type { Store } from '../store/store';
import { errorFields, type Logger } from '../util/logger';
import type { Directory } from '../contacts/directory';
import { type NearbyDeps, NearbyService } from './nearbyService';
import { currentCard, updateOwnProfile, type OwnIdentity, type ProfilePatch } from '../contacts/ownProfile';
import { PresenceService } from './presenceService';
import { readPrivacy, writePrivacy, type PrivacySettings } from './privacySettings';
import type { ProfileCardFields } from '../identity/profileCardV2';
import type { RelayLimits } from '../net/relayLimits';
import {
  differsAtStart,
  readReachSettings,
  relayLimitsOf,
  writeReachSettings,
  type ReachSettings,
} from './reachSettings';
import { reachStatus, type ReachStatus } from './reachStatus';

/**
 * The user-facing network features of one running messaging (issue #5, #6
 * item 5): privacy settings applied to the node, presence, the nearby list
 * and the user's own signed profile card. Changes are reported through
 * onEvent, which the host turns into bridge events.
 */

export type NetworkEvent =
  | { name: 'presence.changed' }
  | { name: 'reach.changed' }
  | { name: 'nearby.changed' }
  | { name: 'settings.changed'; privacy: PrivacySettings }
  | { name: 'profile.updated'; card: ProfileCardFields };

/**
 * What the network features ask of the running messaging: to send the
 * user's new profile to every conversation (MessagingService does it).
 * A port declared here, so presence never reaches up into runtime/.
 */
export interface ProfilePublisher {
  publishProfile(): Promise<unknown>;
}

interface Bound {
  node: ParleyProtocolNode;
  service: ProfilePublisher;
  identity: OwnIdentity;
  logger: Logger;
  now: () => number;
}

export class NetworkFeatures {
  readonly presence = new PresenceService();
  readonly nearby = new NearbyService();
  private readonly listeners = new Set<(event: NetworkEvent) => void>();
  private bound: Bound | null = null;
  /** The reach settings the running node started with (bind), to tell what waits for the next start. */
  private startedWith: ReachSettings | null = null;
  private unsubscribeReach: (() => void) | null = null;

  constructor(private readonly store: Store) {}

  /** The stored settings (defaults until changed). */
  privacy(): PrivacySettings {
    return readPrivacy(this.store);
  }

  /** Mailbox holding is allowed for this recipient by the global setting. */
  holdsForContacts(): boolean {
    return this.privacy().relayForContacts;
  }

  /** "Relay for my contacts" (issue 19): our relay grants reservations and connects to contacts. */
  relaysForContacts(): boolean {
    return readReachSettings(this.store).relayForContacts;
  }

  /** The relay's limits as stored (Settings → Network), for the node about to start. */
  relayLimits(): Partial<RelayLimits> {
    return relayLimitsOf(readReachSettings(this.store).relayLimits);
  }

  /** How this device is reached from other networks (Settings → Network). */
  reach(): ReachStatus {
    const node = this.bound?.node;
    const settings = readReachSettings(this.store);
    const running = node?.isRunning === true;
    const pending = running && this.startedWith !== null && differsAtStart(settings, this.startedWith);
    return reachStatus(running ? (node ?? null) : null, settings, pending);
  }

  /**
   * Saves the reach settings. The relay switch applies to the next request at
   * once; UPnP, the relay's limits and the public addresses when networking
   * next starts (the status says so while they differ from the running node's).
   */
  setReach(patch: Partial<ReachSettings>): ReachStatus {
    writeReachSettings(this.store, patch);
    this.emit({ name: 'reach.changed' });
    return this.reach();
  }

  bind(deps: {
    node: ParleyProtocolNode;
    service: ProfilePublisher;
    directory: Directory;
    identity: OwnIdentity;
    deviceCertificate: Uint8Array;
    /** Issue 18 (§13.6, "Outside groups"): nearby devices judged by their person's list. */
    outside?: Pick<NearbyDeps, 'proofs' | 'deviceListHead' | 'noteContacted'>;
    logger: Logger;
    now: () => number;
    /** The connected contact device a contact's device is reachable through (issue 13). */
    reachableVia?: (peer: string) => string | null;
  }): void {
    const { node, directory, logger, now } = deps;
    this.bound = deps;
    this.startedWith = readReachSettings(this.store);
    this.presence.bind({
      store: this.store,
      node,
      directory,
      privacy: () => this.privacy(),
      now,
      logger,
      onChange: () => this.emit({ name: 'presence.changed' }),
      ...(deps.reachableVia ? { reachableVia: deps.reachableVia } : {}),
    });
    this.nearby.bind({
      store: this.store,
      node,
      directory,
      privacy: () => this.privacy(),
      identity: deps.identity,
      deviceCertificate: deps.deviceCertificate,
      ...deps.outside,
      displayName: () => this.profile().displayName,
      now,
      logger,
      onChange: () => this.emit({ name: 'nearby.changed' }),
    });
  }

  start(): void {
    this.presence.start();
    this.nearby.start();
    const node = this.need().node;
    // A reservation made or lost, a relay connecting: Settings → Network follows.
    const changed = (): void => this.emit({ name: 'reach.changed' });
    const offAddresses = node.onAddressesChanged(changed);
    const offConnections = node.onConnectionsChanged(changed);
    this.unsubscribeReach = () => {
      offAddresses();
      offConnections();
    };
  }

  async stop(): Promise<void> {
    this.unsubscribeReach?.();
    this.unsubscribeReach = null;
    await this.nearby.stop();
    await this.presence.stop();
  }

  /** Who reaches whom through whom changed (address exchanges): contacts' connection state moved. */
  connectivityChanged(): void {
    this.emit({ name: 'presence.changed' });
  }

  /** Saves the changed settings and applies them to the running node at once. */
  async setPrivacy(patch: Partial<PrivacySettings>): Promise<PrivacySettings> {
    const before = this.privacy();
    const next = writePrivacy(this.store, patch);
    const b = this.need();
    if (next.discoverable !== before.discoverable) await b.node.setDiscoverable(next.discoverable);
    if (next.invisible !== before.invisible) this.presence.invisibleChanged(next.invisible);
    this.emit({ name: 'settings.changed', privacy: next });
    return next;
  }

  /** The user's current signed card (made on first use). */
  profile(): ProfileCardFields {
    const b = this.need();
    return currentCard(this.store, b.identity, b.now());
  }

  /** Validates, stores and signs the edit, then tells every conversation (the card only to DMs with contacts). */
  async updateProfile(patch: ProfilePatch): Promise<ProfileCardFields> {
    const b = this.need();
    const card = updateOwnProfile(this.store, b.identity, patch, b.now()).fields;
    this.emit({ name: 'profile.updated', card });
    await b.service.publishProfile();
    return card;
  }

  onEvent(listener: (event: NetworkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: NetworkEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.bound?.logger.log('error', 'network.listener_failed', errorFields(err));
      }
    }
  }

  private need(): Bound {
    if (!this.bound) throw new Error('network features not bound');
    return this.bound;
  }
}
