import type { ContactPresenceView } from '../../../../src-shared/contract/areas/network';
import { formatSince } from '../../lib/time';

const LAST_SEEN_TEXT = {
  'just-now': 'last seen just now',
  today: 'last seen today',
  'this-week': 'last seen this week',
  'long-ago': 'last seen a long time ago',
} as const;

/**
 * How a contact is reached, in words (issue 13): "Online · connected
 * directly", "Reachable through Carl", "Offline since 14:32". A contact never
 * seen online here (one who appears offline) gets only the coarse last-seen
 * bucket it chose to share ("last seen today").
 */
export function presenceText(p: ContactPresenceView, now: number = Date.now()): string {
  switch (p.connection.state) {
    case 'direct':
      return 'Online · connected directly';
    case 'relayed':
      return `Reachable through ${p.connection.via}`;
    case 'offline':
      if (p.connection.since !== null) return `Offline since ${formatSince(p.connection.since, now)}`;
      return p.lastSeen ? LAST_SEEN_TEXT[p.lastSeen] : 'Offline';
  }
}
