import { useAppStore } from '../../store/appStore';

/** The window's own link to the core, shown only while it is broken. */
const BRIDGE_TEXT = {
  connecting: 'Reconnecting…',
  closed: 'Disconnected — retrying',
} as const;

/** The peer network's dot reuses the bridge connection's colours. */
const NET_DOT = { offline: 'closed', looking: 'connecting', connected: 'open' } as const;

function netText(state: 'looking' | 'connected', peers: number): string {
  if (state === 'looking') return 'Looking for peers';
  return `Connected to ${peers === 1 ? '1 peer' : `${peers} peers`}`;
}

/**
 * A quiet footer: whether this device is on the peer network, and which build
 * is running. It never says "Connected" unless peers are connected: with
 * networking off it says "Offline" and offers "Go online"; while the window
 * cannot reach the core it says only that (the network state is unknown then).
 */
export function StatusArea() {
  const connection = useAppStore((s) => s.connection);
  const appInfo = useAppStore((s) => s.appInfo);
  const net = useAppStore((s) => s.net);
  const goingOnline = useAppStore((s) => s.goingOnline);
  const goOnlineError = useAppStore((s) => s.goOnlineError);
  const goOnline = useAppStore((s) => s.goOnline);
  // A device removed from its person's devices stays offline (issue 18, §13.8): nothing to offer.
  const removed = useAppStore((s) => s.thisDevice?.removed != null);
  const bridgeDown = connection === 'connecting' || connection === 'closed';
  return (
    <footer className="statusbar" data-testid="status-area" data-bridge={connection}>
      {bridgeDown ? (
        <p className="statusbar__item" role="status">
          <span className={`status-dot status-dot--${connection}`} aria-hidden="true" />
          <span data-testid="status-connection">{BRIDGE_TEXT[connection]}</span>
        </p>
      ) : net === null ? null : net.state === 'offline' ? (
        <div className="statusbar__item" data-testid="status-net" data-state="offline">
          <span className="status-dot status-dot--closed" aria-hidden="true" />
          <span role="status">Offline</span>
          {removed ? null : (
            <button
              type="button"
              className="statusbar__action"
              data-testid="go-online"
              disabled={goingOnline}
              onClick={() => void goOnline()}
            >
              {goingOnline ? 'Going online…' : 'Go online'}
            </button>
          )}
          {goOnlineError ? (
            <span className="statusbar__error" role="alert" data-testid="go-online-error">
              {goOnlineError.message}
            </span>
          ) : null}
        </div>
      ) : (
        <p className="statusbar__item" data-testid="status-net" data-state={net.state} role="status">
          <span className={`status-dot status-dot--${NET_DOT[net.state]}`} aria-hidden="true" />
          <span>{netText(net.state, net.peers)}</span>
        </p>
      )}
      <p className="statusbar__item statusbar__item--muted">Profile encrypted at rest</p>
      {appInfo ? (
        <p className="statusbar__item statusbar__item--muted" data-testid="status-version">
          {appInfo.name} {appInfo.version}
          {appInfo.shell === 'web' ? ' · web' : ''}
        </p>
      ) : null}
    </footer>
  );
}
