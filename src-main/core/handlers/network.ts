import { ParleyError } from '../errors';
import { reaching } from './reaching';
import { contactPresenceViews, ownProfileView } from './networkPresenter';
import { readPrivacy, writePrivacy } from '../presence/privacySettings';
import { parsePublicAddresses } from '../net/publicAddress';
import { readReachSettings, writeReachSettings, type ReachSettings } from '../presence/reachSettings';
import { reachStatus } from '../presence/reachStatus';
import { networkReachView } from './reachPresenter';
import type { NetworkRequestName, HandlerDeps, HandlersFor } from './deps';

/** Decodes a picture sent as base64 (a data: URL prefix is allowed); INVALID_PARAMS when it is not base64. */
function avatarBytes(value: string | null | undefined): Uint8Array | null | undefined {
  if (value === undefined || value === null) return value;
  const body = value.replace(/^data:image\/[a-z]+;base64,/, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body)) {
    throw new ParleyError('INVALID_PARAMS', 'The picture could not be read. Choose another one.');
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** Handlers of contract/areas/settings.ts, nearby.ts, presence.ts, network.ts and the profile card of profile.ts. */
export function networkHandlers({
  store,
  messaging,
  bus,
  profile,
}: HandlerDeps): HandlersFor<NetworkRequestName> {
  return {
    // Settings live in the database: readable and changeable with networking off too
    // (they then apply when the node starts).
    'settings.get': async () => {
      const s = store();
      const m = await messaging.runningOrNull();
      return { privacy: m ? m.network.privacy() : readPrivacy(s) };
    },
    'settings.set': async ({ privacy }) => {
      const s = store();
      const m = await messaging.runningOrNull();
      if (m) return { privacy: await m.network.setPrivacy(privacy) };
      const next = writePrivacy(s, privacy);
      bus.emit('settings.changed', { privacy: next });
      return { privacy: next };
    },
    // Readable and changeable with networking off too (running: false, no relays).
    'network.reach': async () => {
      const s = store();
      const m = await messaging.runningOrNull();
      return networkReachView(s, m ? m.network.reach() : reachStatus(null, readReachSettings(s)));
    },
    'network.setReach': async ({ publicAddresses, ...rest }) => {
      const s = store();
      let patch: Partial<ReachSettings> = rest;
      if (publicAddresses !== undefined) {
        const parsed = parsePublicAddresses(publicAddresses);
        if (!parsed.ok) throw new ParleyError('INVALID_PARAMS', parsed.problem);
        patch = { ...rest, publicAddresses: parsed.addresses };
      }
      const m = await messaging.runningOrNull();
      if (m) return networkReachView(s, m.network.setReach(patch));
      const status = reachStatus(null, writeReachSettings(s, patch));
      bus.emit('network.changed', {});
      return networkReachView(s, status);
    },
    'nearby.list': async () => {
      store();
      const m = await messaging.running();
      return m.network.nearby.list();
    },
    'nearby.requestContact': async ({ peerId, message }) => {
      store();
      const m = await messaging.running();
      // Rate-limited by the other side: a refused stream looks like "unreachable" and says try later.
      await reaching('That person', () => m.network.nearby.requestContact(peerId, message));
      return {};
    },
    'presence.list': async () => {
      const s = store();
      const m = await messaging.running();
      return contactPresenceViews(s, m.network.presence.list());
    },
    'profile.get': async () => {
      store();
      const m = await messaging.running();
      return ownProfileView(m.network.profile());
    },
    'profile.update': async ({ displayName, statusText, avatar }) => {
      store();
      const m = await messaging.running();
      const bytes = avatarBytes(avatar);
      const card = await m.network.updateProfile({
        ...(displayName !== undefined ? { displayName } : {}),
        ...(statusText !== undefined ? { statusText } : {}),
        ...(bytes !== undefined ? { avatar: bytes } : {}),
      });
      if (displayName !== undefined) profile.refresh();
      return ownProfileView(card);
    },
  };
}
