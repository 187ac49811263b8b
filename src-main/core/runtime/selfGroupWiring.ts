import type { DeviceLists } from '../devices/deviceLists';
import type { SelfGroup } from '../groups/selfGroup';

/** How often the self group is checked without news (a device that was offline, a lost send), ms. */
export const SELF_GROUP_CHECK_MS = 30_000;

/**
 * Keeps the person's self group (issue 18, docs/protocol.md §13.6) made,
 * complete and drained: at start, whenever the own list changes, whenever an
 * own device connects, and every 30 s. Returns the stop.
 */
export function keepSelfGroup(deps: {
  self: Pick<SelfGroup, 'poke' | 'idle'>;
  lists: DeviceLists;
  onPeer: (listener: (e: { peerId: string; connected: boolean }) => void) => () => void;
  checkMs?: number;
}): { stop: () => Promise<void> } {
  const { self, lists } = deps;
  let stopped = false;
  const poke = (): void => {
    if (!stopped) void self.poke();
  };
  const own = lists.ownIdentityKey;
  const isOwn = (peer: string): boolean => lists.activeDevices(own).some((d) => d.peerId === peer);
  const offNews = lists.on((news) => {
    if (news.kind === 'changed' && Buffer.from(news.identityKey).equals(Buffer.from(own))) poke();
  });
  const offPeer = deps.onPeer(({ peerId, connected }) => {
    if (connected && isOwn(peerId)) poke();
  });
  const timer = setInterval(poke, deps.checkMs ?? SELF_GROUP_CHECK_MS);
  timer.unref();
  poke();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      offNews();
      offPeer();
      await self.idle();
    },
  };
}
