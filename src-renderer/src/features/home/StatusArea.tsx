import { useAppStore } from '../../store/appStore';

const CONNECTION_TEXT = {
  open: 'Connected',
  connecting: 'Reconnecting…',
  closed: 'Disconnected — retrying',
} as const;

/** A quiet footer: whether this window reaches the core, and which build is running. */
export function StatusArea() {
  const connection = useAppStore((s) => s.connection);
  const appInfo = useAppStore((s) => s.appInfo);
  return (
    <footer className="statusbar" data-testid="status-area">
      <p className="statusbar__item" role="status">
        <span className={`status-dot status-dot--${connection}`} aria-hidden="true" />
        <span data-testid="status-connection">{CONNECTION_TEXT[connection]}</span>
      </p>
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
