import { useEffect, useId, useRef, useState } from 'react';
import {
  PROFILE_STATUS_MAX_LENGTH,
  type OwnProfileView,
} from '../../../../src-shared/contract/areas/profile';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { initialOf } from '../home/initialOf';
import { avatarFromFile } from './avatarImage';

/** A picture larger than this is not read into the window (avatarFromFile scales it down anyway). */
const AVATAR_SOURCE_MAX_BYTES = 20 * 1024 * 1024;

const PRESETS = ['Available', 'Away', 'Busy'] as const;
const CUSTOM = '__custom__';

/**
 * Settings → Profile: status and picture (and the name) on the card that is
 * signed with your identity key and shared with your contacts only.
 */
export function ProfileSettings() {
  const profile = useAppStore((s) => s.ownProfile);
  const watchOwnProfile = useAppStore((s) => s.watchOwnProfile);

  useEffect(() => watchOwnProfile(), [watchOwnProfile]);

  // Keyed by version: a change saved here or in another window refills the form.
  return <ProfileForm key={profile?.version ?? 0} profile={profile} />;
}

function ProfileForm({ profile }: { profile: OwnProfileView | null }) {
  const error = useAppStore((s) => s.profileError);
  const saving = useAppStore((s) => s.profileSaving);
  const updateOwnProfile = useAppStore((s) => s.updateOwnProfile);
  const initialStatus = profile?.statusText ?? '';
  const isPreset = initialStatus === '' || (PRESETS as readonly string[]).includes(initialStatus);
  const [name, setName] = useState(profile?.displayName ?? '');
  const [preset, setPreset] = useState<string>(isPreset ? initialStatus : CUSTOM);
  const [custom, setCustom] = useState(isPreset ? '' : initialStatus);
  const [pictureError, setPictureError] = useState<string | null>(null);
  const saved = useAppStore((s) => s.profileSaved);
  const fileRef = useRef<HTMLInputElement>(null);
  const ids = useId();
  const desktop = useAppStore((s) => s.appInfo?.shell === 'electron');
  const pickFiles = useAppStore((s) => s.pickFiles);
  const readHostFile = useAppStore((s) => s.readHostFile);

  /** The desktop app's native open dialog: the core reads the picture, this window gets its bytes. */
  async function pickWithDialog() {
    setPictureError(null);
    const picked = await pickFiles('avatar');
    if (!picked.ok) return setPictureError(picked.error.message);
    const [chosen] = picked.value;
    if (!chosen) return;
    if (chosen.size > AVATAR_SOURCE_MAX_BYTES)
      return setPictureError('That picture is too large (at most 20 MB).');
    const read = await readHostFile(chosen);
    if (!read.ok) return setPictureError(read.error.message);
    await pickPicture(read.value);
  }

  const statusText = preset === CUSTOM ? custom.trim() : preset;

  async function save() {
    await updateOwnProfile({ displayName: name.trim(), statusText });
  }

  async function pickPicture(file: File | undefined) {
    if (!file) return;
    setPictureError(null);
    try {
      const avatar = await avatarFromFile(file);
      await updateOwnProfile({ avatar });
    } catch (err) {
      setPictureError(err instanceof Error ? err.message : 'That picture could not be used.');
    } finally {
      if (fileRef.current) fileRef.current.value = '';
    }
  }

  return (
    <div className="profile-card-form" data-testid="profile-settings">
      <div className="profile-card-form__picture">
        {profile?.avatar ? (
          <img
            className="avatar avatar--lg avatar--img"
            src={profile.avatar}
            alt="Your picture"
            data-testid="profile-avatar"
          />
        ) : (
          <span className="avatar avatar--lg avatar--dm" aria-hidden="true">
            {initialOf(profile?.displayName ?? '')}
          </span>
        )}
        <div className="profile-card-form__picture-actions">
          {desktop ? (
            <Button
              testId="profile-avatar-choose"
              variant="secondary"
              size="sm"
              onClick={() => void pickWithDialog()}
            >
              Choose picture…
            </Button>
          ) : (
            <label className="btn btn--secondary btn--sm" htmlFor={`${ids}-file`}>
              Choose picture…
            </label>
          )}
          <input
            id={`${ids}-file`}
            ref={fileRef}
            className="visually-hidden"
            type="file"
            accept="image/png,image/jpeg,image/webp"
            data-testid="profile-avatar-input"
            onChange={(e) => void pickPicture(e.target.files?.[0])}
          />
          {profile?.avatar ? (
            <Button
              testId="profile-avatar-remove"
              variant="ghost"
              size="sm"
              onClick={() => void updateOwnProfile({ avatar: null })}
            >
              Remove
            </Button>
          ) : null}
        </div>
      </div>
      {pictureError ? (
        <p className="field__error" role="alert" data-testid="profile-avatar-error">
          {pictureError}
        </p>
      ) : null}
      <form
        className="profile-card-form__fields"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-name`}>
            Name shown to contacts
          </label>
          <input
            id={`${ids}-name`}
            className="field__input"
            data-testid="profile-name-input"
            value={name}
            maxLength={64}
            onChange={(e) => {
              setName(e.target.value);
            }}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-status`}>
            Status
          </label>
          <select
            id={`${ids}-status`}
            className="select"
            data-testid="profile-status-select"
            value={preset}
            onChange={(e) => {
              setPreset(e.target.value);
            }}
          >
            <option value="">No status</option>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            <option value={CUSTOM}>Custom…</option>
          </select>
          {preset === CUSTOM ? (
            <input
              className="field__input profile-card-form__custom"
              data-testid="profile-status-custom"
              aria-label="Custom status"
              placeholder="What are you up to?"
              value={custom}
              maxLength={PROFILE_STATUS_MAX_LENGTH}
              onChange={(e) => {
                setCustom(e.target.value);
              }}
            />
          ) : null}
        </div>
        <div className="profile-card-form__actions">
          <Button type="submit" testId="profile-save" size="sm" busy={saving} busyLabel="Saving…">
            Save profile
          </Button>
          <span className="profile-card-form__saved" role="status" data-testid="profile-saved">
            {saved ? 'Saved and sent to your contacts.' : ''}
          </span>
        </div>
      </form>
      {error ? (
        <p className="field__error" role="alert" data-testid="profile-error">
          {error}
        </p>
      ) : null}
      <p className="settings__hint">
        Your name, status and picture are signed with your identity key and shared with your contacts only.
        Groups see your name.
      </p>
    </div>
  );
}
