import { useAppStore } from '../../store/appStore';
import { ProfileSettings } from '../privacy/ProfileSettings';

/** Settings → Profile: the name this profile was created with, then what contacts see. */
export function ProfileSection() {
  const displayName = useAppStore((s) => s.status?.displayName ?? '');
  return (
    <section className="settings__section" aria-labelledby="settings-profile">
      <h2 className="settings__heading" id="settings-profile">
        Profile
      </h2>
      <dl className="facts">
        <div className="facts__row">
          <dt>Display name</dt>
          <dd data-testid="settings-display-name">{displayName}</dd>
        </div>
      </dl>
      <ProfileSettings />
    </section>
  );
}
