import { useAppStore } from '../../store/appStore';

const CONNECTION_TEXT = {
  open: 'Connected',
  connecting: 'Reconnecting…',
  closed: 'Disconnected — retrying',
} as const;

/** The peer network's dot reuses the bridge connection's colours. */
const NET_DOT = { offline: 'closed', looking: 'connecting', connected: 'open' } as const;

function netText(state: keyof typeof NET_DOT, peers: number): string {
  if (state === 'offline') return 'Offline';
  if (state === 'looking') return 'Looking for peers';
  return `Connected to ${peers}`;
}

/** A quiet footer: whether this window reaches the core, and which build is running. */
export function StatusArea() {
  const connection = useAppStore((s) => s.connection);
  const appInfo = useAppStore((s) => s.appInfo);
  const net = useAppStore((s) => s.net);
  // With a peer network, "Connected to N" is the connection users care about; the
  // window's own link to the core is shown only when it is broken (two
  // "Connected" labels side by side read as a duplicate).
  const showBridge = connection !== 'open' || !net?.enabled;
  return (
    <footer className="statusbar" data-testid="status-area" data-bridge={connection}>
      {showBridge ? (
        <p className="statusbar__item" role="status">
          <span className={`status-dot status-dot--${connection}`} aria-hidden="true" />
          <span data-testid="status-connection">{CONNECTION_TEXT[connection]}</span>
        </p>
      ) : null}
      {net?.enabled ? (
        <p className="statusbar__item" data-testid="status-net" data-state={net.state}>
          <span className={`status-dot status-dot--${NET_DOT[net.state]}`} aria-hidden="true" />
          <span>{netText(net.state, net.peers)}</span>
        </p>
      ) : null}
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
