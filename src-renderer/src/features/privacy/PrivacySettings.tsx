import { useEffect } from 'react';
import type { PrivacySettingsView } from '../../../../src-shared/contract/areas/settings';
import { SettingsToggle } from '../../components/SettingsToggle';
import { useAppStore } from '../../store/appStore';

const SWITCHES: { key: keyof PrivacySettingsView; label: string; hint: string }[] = [
  {
    key: 'discoverable',
    label: 'Discoverable on this network',
    hint: 'People on this network see your name under “Nearby” and can send you a contact request. When off, Parley neither announces itself nor answers on the local network.',
  },
  {
    key: 'invisible',
    label: 'Appear offline',
    hint: 'Your contacts see you as offline. Messages still arrive and are sent as usual.',
  },
  {
    key: 'relayForContacts',
    label: 'Hold messages for contacts',
    hint: 'While a contact is offline, this device keeps encrypted messages for them (it cannot read them) and hands them over when they are back.',
  },
];

/** Settings → Privacy. */
export function PrivacySettings() {
  const privacy = useAppStore((s) => s.privacy);
  const error = useAppStore((s) => s.privacyError);
  const watchPrivacy = useAppStore((s) => s.watchPrivacy);
  const setPrivacy = useAppStore((s) => s.setPrivacy);

  useEffect(() => watchPrivacy(), [watchPrivacy]);

  return (
    <section className="settings__section" aria-labelledby="settings-privacy" data-testid="settings-privacy">
      <h2 className="settings__heading" id="settings-privacy">
        Privacy
      </h2>
      {SWITCHES.map(({ key, label, hint }) => (
        <SettingsToggle
          key={key}
          label={label}
          testId={`privacy-${key}`}
          hint={hint}
          checked={privacy?.[key] ?? false}
          disabled={privacy === null}
          onChange={(on) => void setPrivacy({ [key]: on })}
        />
      ))}
      {error ? (
        <p className="field__error" role="alert" data-testid="privacy-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
