import { useAppStore } from '../../store/appStore';

const CIPHERSUITE = 'X-Wing (ML-KEM-768 + X25519), Ed25519, AES-256-GCM';
const SHELL_NAMES = { electron: 'Desktop app', web: 'Web shell (parley web)', cli: 'Command line' } as const;

/** Settings → About: version, where the profile lives, how it is encrypted, this device's peer ID. */
export function AboutSettings() {
  const appInfo = useAppStore((s) => s.appInfo);
  const peerId = useAppStore((s) => s.peerId);
  return (
    <section className="settings__section" aria-labelledby="settings-about">
      <h2 className="settings__heading" id="settings-about">
        About
      </h2>
      <dl className="facts">
        <div className="facts__row">
          <dt>App</dt>
          <dd data-testid="about-name">{appInfo?.name ?? 'Parley'}</dd>
        </div>
        <div className="facts__row">
          <dt>Version</dt>
          <dd data-testid="about-version">{appInfo?.version ?? '—'}</dd>
        </div>
        <div className="facts__row">
          <dt>Running as</dt>
          <dd data-testid="about-shell">{appInfo ? SHELL_NAMES[appInfo.shell] : '—'}</dd>
        </div>
        <div className="facts__row">
          <dt>Profile folder</dt>
          <dd>
            <code data-testid="about-profile-dir">{appInfo?.profileDir ?? '—'}</code>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Encryption</dt>
          <dd data-testid="about-ciphersuite">{CIPHERSUITE}</dd>
        </div>
        <div className="facts__row">
          <dt>This device (peer ID)</dt>
          <dd>
            {peerId ? (
              <code data-testid="about-peer-id">{peerId}</code>
            ) : (
              <span data-testid="about-peer-id">Networking is off</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}
