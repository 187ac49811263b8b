import { useEffect, useRef, type ReactElement } from 'react';
import { BackIcon } from '../../components/Icons';
import { useAppStore } from '../../store/appStore';
import type { SettingsSectionId } from '../../store/settingsSlice';
import { BackupSection } from '../backup/BackupSection';
import { ChatSettingsSection } from '../chat/ChatSettingsSection';
import { NotificationSettings } from '../conversationSettings/NotificationSettings';
import { FileSettingsSection } from '../files/FileSettingsSection';
import { DevicesSettings } from '../devices/DevicesSettings';
import { NetworkSettings } from '../network/NetworkSettings';
import { PrivacySettings } from '../privacy/PrivacySettings';
import { AboutSettings } from './AboutSettings';
import { AppearanceSettings } from './AppearanceSettings';
import { ProfileSection } from './ProfileSection';
import { SecuritySettings } from './SecuritySettings';
import { SETTINGS_PANEL_ID, SettingsNav, settingsTabId } from './SettingsNav';

const SECTIONS: Record<SettingsSectionId, () => ReactElement> = {
  profile: () => <ProfileSection />,
  appearance: () => <AppearanceSettings />,
  privacy: () => <PrivacySettings />,
  network: () => <NetworkSettings />,
  devices: () => <DevicesSettings />,
  security: () => <SecuritySettings />,
  chats: () => <ChatSettingsSection />,
  notifications: () => <NotificationSettings />,
  files: () => <FileSettingsSection />,
  backup: () => <BackupSection />,
  about: () => <AboutSettings />,
};

/** Settings (Ctrl/Cmd+,): a side list of sections, one short section on screen at a time. */
export function SettingsScreen() {
  const showView = useAppStore((s) => s.showView);
  const section = useAppStore((s) => s.settingsSection);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  // Land on the heading so screen readers announce the new screen and Tab starts at its top.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  // A new section starts at its top, not where the previous one was scrolled to.
  useEffect(() => {
    panelRef.current?.scrollTo({ top: 0 });
  }, [section]);

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
      <div className="settings__layout">
        <SettingsNav />
        <div
          ref={panelRef}
          className="settings__body"
          id={SETTINGS_PANEL_ID}
          role="tabpanel"
          aria-labelledby={settingsTabId(section)}
          data-testid="settings-panel"
          // The tabs pattern: the panel is one Tab stop after the list, and the About
          // section (only text) can still be scrolled by keyboard.
          tabIndex={0}
        >
          {SECTIONS[section]()}
        </div>
      </div>
    </section>
  );
}
