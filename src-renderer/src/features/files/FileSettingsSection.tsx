import { useEffect, useState } from 'react';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';

const MB = 1024 * 1024;

/** Megabytes as typed (decimals allowed) → bytes, or null when it is not a sensible number. */
function parseMb(text: string, min: number, max: number): number | null {
  const n = Number(text.trim().replace(',', '.'));
  if (!Number.isFinite(n)) return null;
  const bytes = Math.round(n * MB);
  return bytes >= min && bytes <= max ? bytes : null;
}

const show = (bytes: number) => String(Math.round((bytes / MB) * 100) / 100);

/** Settings → Files: the largest file accepted, and up to what size files download by themselves. */
export function FileSettingsSection() {
  const settings = useAppStore((s) => s.fileSettings);
  const load = useAppStore((s) => s.loadFileSettings);
  const save = useAppStore((s) => s.saveFileSettings);
  const [draft, setDraft] = useState<{ max: string; auto: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  const max = draft?.max ?? (settings ? show(settings.maxReceiveBytes) : '');
  const auto = draft?.auto ?? (settings ? show(settings.autoDownloadMaxBytes) : '');

  async function submit() {
    const maxBytes = parseMb(max, 1024, 2048 * MB);
    const autoBytes = parseMb(auto, 0, 2048 * MB);
    if (maxBytes === null || autoBytes === null) {
      setError('Enter sizes in MB, from 0 to 2048.');
      return;
    }
    setError(null);
    const ok = await save({ maxReceiveBytes: maxBytes, autoDownloadMaxBytes: autoBytes });
    if (ok) {
      setDraft(null);
      setSaved(true);
    }
  }

  return (
    <section className="settings__section" aria-labelledby="settings-files">
      <h2 className="settings__heading" id="settings-files">
        Files
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="Largest file to accept (MB)"
          testId="settings-files-max"
          inputMode="decimal"
          value={max}
          disabled={settings === null}
          onChange={(e) => {
            setSaved(false);
            setDraft({ max: e.target.value, auto });
          }}
          hint="Larger files are refused before anything is downloaded."
        />
        <TextField
          label="Download by themselves up to (MB)"
          testId="settings-files-auto"
          inputMode="decimal"
          value={auto}
          disabled={settings === null}
          onChange={(e) => {
            setSaved(false);
            setDraft({ max, auto: e.target.value });
          }}
          hint="Larger files wait until you choose Download. Files of 128 KB or less always travel with the message."
          error={error}
        />
        <Button type="submit" testId="settings-files-save" variant="secondary" disabled={settings === null}>
          Save
        </Button>
        {saved ? (
          <p className="field__hint" role="status" data-testid="settings-files-saved">
            Saved.
          </p>
        ) : null}
      </form>
    </section>
  );
}
