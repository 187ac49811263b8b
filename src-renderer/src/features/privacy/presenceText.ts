import type { ConnectionPathView, ContactPresenceView } from '../../../../src-shared/contract/areas/presence';
import { formatSince } from '../../lib/time';

const LAST_SEEN_TEXT = {
  'just-now': 'last seen just now',
  today: 'last seen today',
  'this-week': 'last seen this week',
  'long-ago': 'last seen a long time ago',
} as const;

/** The path of a live connection, in words (issue 19): LAN, direct over the internet, or through a relay. */
export function pathText(path: ConnectionPathView): string {
  switch (path.kind) {
    case 'lan':
      return 'on this network';
    case 'internet':
      return 'direct over the internet';
    case 'relay':
      return path.via === null ? 'through a relay' : `through ${path.via} (relay)`;
  }
}

/**
 * How a contact is reached, in words (issues 13, 19): "Online · on this
 * network", "Online · direct over the internet", "Online · through Cy
 * (relay)", "Reachable through Carl", "Offline since 14:32". A contact never
 * seen online here (one who appears offline) gets only the coarse last-seen
 * bucket it chose to share ("last seen today").
 */
export function presenceText(p: ContactPresenceView, now: number = Date.now()): string {
  switch (p.connection.state) {
    case 'direct':
      return `Online · ${pathText(p.connection.path)}`;
    case 'relayed':
      return `Reachable through ${p.connection.via}`;
    case 'offline':
      if (p.connection.since !== null) return `Offline since ${formatSince(p.connection.since, now)}`;
      return p.lastSeen ? LAST_SEEN_TEXT[p.lastSeen] : 'Offline';
  }
}
