import { useEffect } from 'react';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';

/**
 * Settings → Chats: read receipts and typing indicators. Both work both ways,
 * as in common messengers: with receipts off you do not send them and you
 * do not see others'; with typing indicators off likewise.
 */
export function ChatSettingsSection() {
  const prefs = useAppStore((s) => s.chatPreferences);
  const error = useAppStore((s) => s.chatPreferencesError);
  const load = useAppStore((s) => s.loadChatPreferences);
  const update = useAppStore((s) => s.updateChatPreferences);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="settings__section" aria-labelledby="settings-chats" data-testid="settings-chats">
      <h2 className="settings__heading" id="settings-chats">
        Chats
      </h2>
      <SettingsToggle
        label="Read receipts"
        testId="settings-read-receipts"
        hint="Let people know when you have read their messages. When this is off, you will not see when others read yours either."
        checked={prefs?.readReceipts ?? true}
        disabled={!prefs}
        onChange={(on) => void update({ readReceipts: on })}
      />
      <SettingsToggle
        label="Typing indicators"
        testId="settings-typing-indicators"
        hint="Show “typing…” to others while you write. When this is off, you will not see others typing either."
        checked={prefs?.typingIndicators ?? true}
        disabled={!prefs}
        onChange={(on) => void update({ typingIndicators: on })}
      />
      {error ? (
        <p className="field__error" role="alert" data-testid="settings-chats-error">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}
