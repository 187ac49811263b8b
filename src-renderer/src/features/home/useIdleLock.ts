import { useEffect } from 'react';
import { useAppStore } from '../../store/appStore';

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Locks the profile (profile.lock) after the chosen minutes without input in
 * this window. Activity only pushes a deadline forward; one timer checks it,
 * so a busy mouse does not churn timers.
 */
export function useIdleLock(): void {
  const minutes = useAppStore((s) => s.idleLockMinutes);
  useEffect(() => {
    if (minutes === 0) return;
    const limit = minutes * 60_000;
    let deadline = Date.now() + limit;
    const onActivity = () => {
      deadline = Date.now() + limit;
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    const check = window.setInterval(
      () => {
        if (Date.now() >= deadline) void useAppStore.getState().lockProfile();
      },
      Math.min(15_000, limit / 4),
    );
    return () => {
      window.clearInterval(check);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
    };
  }, [minutes]);
}
