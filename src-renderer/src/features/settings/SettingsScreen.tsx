import { useEffect, useRef } from 'react';
import { BackIcon } from '../../components/Icons';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';
import { IDLE_LOCK_CHOICES, type IdleLockMinutes } from '../../store/settingsSlice';
import { NotificationSettings } from '../conversationSettings/NotificationSettings';
import { FileSettingsSection } from '../files/FileSettingsSection';
import { BackupSection } from '../backup/BackupSection';
import { PrivacySettings } from '../privacy/PrivacySettings';
import { ProfileSettings } from '../privacy/ProfileSettings';
import { ChatSettingsSection } from '../chat/ChatSettingsSection';
import { ChangePassphraseForm } from './ChangePassphraseForm';
import { StartAtLoginSetting } from './StartAtLoginSetting';

const CIPHERSUITE = 'X-Wing (ML-KEM-768 + X25519), Ed25519, AES-256-GCM';
const SHELL_NAMES = { electron: 'Desktop app', web: 'Web shell (parley web)', cli: 'Command line' } as const;

function idleLabel(minutes: IdleLockMinutes): string {
  if (minutes === 0) return 'Never';
  return minutes === 1 ? 'After 1 minute' : `After ${minutes} minutes`;
}

/** Settings (Ctrl/Cmd+,): profile, security, about. */
export function SettingsScreen() {
  const status = useAppStore((s) => s.status);
  const appInfo = useAppStore((s) => s.appInfo);
  const peerId = useAppStore((s) => s.peerId);
  const idleLockMinutes = useAppStore((s) => s.idleLockMinutes);
  const setIdleLockMinutes = useAppStore((s) => s.setIdleLockMinutes);
  const showView = useAppStore((s) => s.showView);
  const setRemember = useAppStore((s) => s.setRemember);
  const rememberBusy = useAppStore((s) => s.busy === 'remember');
  const rememberError = useAppStore((s) => (s.error?.action === 'remember' ? s.error : null));
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Land on the heading so screen readers announce the new screen and Tab starts at its top.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  return (
    <section
      className="settings"
      data-testid="settings-screen"
      aria-labelledby="settings-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') showView('chat');
      }}
    >
      <header className="settings__header">
        <button
          type="button"
          className="icon-btn"
          data-testid="settings-back"
          onClick={() => showView('chat')}
        >
          <BackIcon />
          <span className="visually-hidden">Back to conversations</span>
        </button>
        <h1 className="settings__title" id="settings-title" ref={headingRef} tabIndex={-1}>
          Settings
        </h1>
      </header>
      <div className="settings__body">
        <section className="settings__section" aria-labelledby="settings-profile">
          <h2 className="settings__heading" id="settings-profile">
            Profile
          </h2>
          <dl className="facts">
            <div className="facts__row">
              <dt>Display name</dt>
              <dd data-testid="settings-display-name">{status?.displayName ?? ''}</dd>
            </div>
          </dl>
          <ProfileSettings />
        </section>

        <PrivacySettings />

        <section className="settings__section" aria-labelledby="settings-security">
          <h2 className="settings__heading" id="settings-security">
            Security
          </h2>
          <ChangePassphraseForm />
          <div className="settings__divider" />
          <div className="field">
            <label className="field__label" htmlFor="idle-lock">
              Lock after inactivity
            </label>
            <select
              id="idle-lock"
              className="select"
              data-testid="settings-idle-lock"
              value={idleLockMinutes}
              onChange={(e) => {
                const n = Number(e.target.value);
                const choice = IDLE_LOCK_CHOICES.find((c) => c === n);
                if (choice !== undefined) setIdleLockMinutes(choice);
              }}
              aria-describedby="idle-lock-hint"
            >
              {IDLE_LOCK_CHOICES.map((m) => (
                <option key={m} value={m}>
                  {idleLabel(m)}
                </option>
              ))}
            </select>
            <p className="field__hint" id="idle-lock-hint">
              Parley locks itself when this window sees no keyboard or mouse input for that long.
            </p>
          </div>
          {status?.canRemember ? (
            <SettingsToggle
              label="Remember on this device"
              testId="settings-remember"
              hint="The system keychain keeps the key, so Parley unlocks without the passphrase for your user account on this computer."
              checked={status.remembered ?? false}
              disabled={rememberBusy}
              onChange={(on) => void setRemember(on)}
              error={rememberError?.message ?? null}
              errorTestId="settings-remember-error"
            />
          ) : null}
          <StartAtLoginSetting />
        </section>

        <ChatSettingsSection />

        <NotificationSettings />

        <FileSettingsSection />

        <BackupSection />

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
      </div>
    </section>
  );
}
