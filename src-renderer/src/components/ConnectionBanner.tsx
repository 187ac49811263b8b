import { useAppStore } from '../store/appStore';

/**
 * A thin bar while the web shell's socket is down, so a dead core never looks
 * like a frozen window. Electron's IPC has no connection and never shows it.
 */
export function ConnectionBanner() {
  const connection = useAppStore((s) => s.connection);
  if (connection === 'open' || connection === 'refused') return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      Connection to Parley lost. Reconnecting…
    </div>
  );
}
