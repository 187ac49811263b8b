import { useId } from 'react';
import { TEXT_SIZES, THEMES } from '../../lib/appearance';
import { useAppStore } from '../../store/appStore';

interface ChoiceGroupProps<Id extends string> {
  legend: string;
  name: string;
  testId: string;
  options: readonly { id: Id; label: string }[];
  value: Id;
  onChange: (id: Id) => void;
  hint: string;
}

/**
 * A radio group drawn as a segmented control: one Tab stop, arrows move and
 * choose at once (the browser's own radio behaviour), and the legend and hint
 * are read out with it.
 */
function ChoiceGroup<Id extends string>({
  legend,
  name,
  testId,
  options,
  value,
  onChange,
  hint,
}: ChoiceGroupProps<Id>) {
  const hintId = useId();
  return (
    <fieldset className="segmented" data-testid={testId} aria-describedby={hintId}>
      <legend className="segmented__legend">{legend}</legend>
      <div className="segmented__options">
        {options.map((option) => (
          <label key={option.id} className="segmented__option">
            <input
              type="radio"
              name={name}
              value={option.id}
              data-testid={`${testId}-${option.id}`}
              checked={value === option.id}
              onChange={() => onChange(option.id)}
            />
            {option.label}
          </label>
        ))}
      </div>
      <p className="field__hint" id={hintId}>
        {hint}
      </p>
    </fieldset>
  );
}

/** Settings → Appearance: theme and text size, for this device; both apply at once. */
export function AppearanceSettings() {
  const appearance = useAppStore((s) => s.appearance);
  const setTheme = useAppStore((s) => s.setTheme);
  const setTextSize = useAppStore((s) => s.setTextSize);
  const name = useId();

  return (
    <section className="settings__section" aria-labelledby="settings-appearance">
      <h2 className="settings__heading" id="settings-appearance">
        Appearance
      </h2>
      <ChoiceGroup
        legend="Theme"
        name={`${name}-theme`}
        testId="appearance-theme"
        options={THEMES}
        value={appearance.theme}
        onChange={setTheme}
        hint="System follows your computer’s light or dark setting, also when it changes."
      />
      <ChoiceGroup
        legend="Text size"
        name={`${name}-text`}
        testId="appearance-text-size"
        options={TEXT_SIZES}
        value={appearance.textSize}
        onChange={setTextSize}
        hint="Changes the size of all text in Parley on this computer."
      />
      <div className="appearance-preview" aria-hidden="true" data-testid="appearance-preview">
        <p className="appearance-preview__bubble">Are we still on for lunch tomorrow?</p>
        <p className="appearance-preview__bubble appearance-preview__bubble--out">
          Yes! 12:30 at the usual place.
        </p>
      </div>
    </section>
  );
}
