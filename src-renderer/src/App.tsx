import { useEffect, useLayoutEffect, type ReactElement } from 'react';
import type { ProfileState } from '../../src-shared/contract';
import { ConnectionBanner } from './components/ConnectionBanner';
import { HistoryProgressNotice } from './features/devices/HistoryProgressNotice';
import { RemovedDeviceBanner } from './features/devices/RemovedDeviceBanner';
import { HomeScreen } from './features/home/HomeScreen';
import { OnboardingScreen } from './features/onboarding/OnboardingScreen';
import { ConnectionErrorScreen } from './features/startup/ConnectionErrorScreen';
import { LoadingScreen } from './features/startup/LoadingScreen';
import { RefusedScreen } from './features/startup/RefusedScreen';
import { DamagedScreen } from './features/unlock/DamagedScreen';
import { UnlockScreen } from './features/unlock/UnlockScreen';
import { applyAppearance } from './lib/appearance';
import { useAppStore, type AppState } from './store/appStore';

const SCREENS: Record<ProfileState, { title: string; render: () => ReactElement }> = {
  none: { title: 'Parley — Welcome', render: () => <OnboardingScreen /> },
  locked: { title: 'Parley — Locked', render: () => <UnlockScreen /> },
  unlocked: { title: 'Parley', render: () => <HomeScreen /> },
  damaged: { title: 'Parley — Profile damaged', render: () => <DamagedScreen /> },
};

function screenFor(
  phase: AppState['phase'],
  state: ProfileState | undefined,
  refused: boolean,
): ReactElement {
  // The web shell will never take this tab: say why, whatever else was on screen.
  if (refused) return <RefusedScreen />;
  if (phase === 'failed') return <ConnectionErrorScreen />;
  if (phase === 'starting' || !state) return <LoadingScreen />;
  return SCREENS[state].render();
}

/** Picks the screen from the start-up phase and the profile state; every screen reads the store itself. */
export function App() {
  const phase = useAppStore((s) => s.phase);
  const state = useAppStore((s) => s.status?.state);
  const unread = useAppStore((s) => (s.status?.state === 'unlocked' ? s.totalUnread : 0));
  const refused = useAppStore((s) => s.connection === 'refused');

  const appearance = useAppStore((s) => s.appearance);

  // Settings → Appearance applies before the next paint.
  useLayoutEffect(() => {
    applyAppearance(document.documentElement, appearance);
  }, [appearance]);

  // "(3) Parley": the unread count where the taskbar and tab show it.
  useEffect(() => {
    const title = state ? SCREENS[state].title : 'Parley';
    document.title = unread > 0 ? `(${unread}) ${title}` : title;
  }, [state, unread]);

  return (
    <div className="app">
      {phase === 'ready' ? <ConnectionBanner /> : null}
      {phase === 'ready' && state === 'unlocked' ? <HistoryProgressNotice /> : null}
      {phase === 'ready' && state === 'unlocked' ? <RemovedDeviceBanner /> : null}
      <div className="app__screen">{screenFor(phase, state, refused)}</div>
    </div>
  );
}
