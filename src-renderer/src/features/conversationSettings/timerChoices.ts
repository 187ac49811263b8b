import { describeTimer, TIMER_CHOICES_MS } from '../../../../src-shared/contract/areas/conversations';

/** The disappearing-message choices the menus offer, in order, with the words the chat uses. */
export const TIMER_OPTIONS: readonly { ms: number | null; label: string }[] = [
  { ms: null, label: 'Off' },
  ...TIMER_CHOICES_MS.map((ms) => ({ ms, label: timerLabel(ms) })),
];

/** "Off", or the timer in the words the chat's notice uses (describeTimer, in the contract). */
export function timerLabel(ms: number | null): string {
  return ms === null ? 'Off' : describeTimer(ms);
}

export const NOTIFY_OPTIONS = [
  { mode: 'all', label: 'All messages' },
  { mode: 'mentions', label: 'Mentions only' },
  { mode: 'muted', label: 'Muted' },
] as const;
