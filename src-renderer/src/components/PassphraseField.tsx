import { useState } from 'react';
import { TextField, type TextFieldProps } from './TextField';

export type PassphraseFieldProps = Omit<TextFieldProps, 'type' | 'trailing'>;

/**
 * A password input with a show/hide toggle. Spell-check and autocapitalisation
 * are off so the passphrase is never sent to a spelling service or altered.
 */
export function PassphraseField({ testId, disabled, ...rest }: PassphraseFieldProps) {
  const [visible, setVisible] = useState(false);
  return (
    <TextField
      {...rest}
      testId={testId}
      disabled={disabled}
      type={visible ? 'text' : 'password'}
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      trailing={
        <button
          type="button"
          className="field__toggle"
          data-testid={`${testId}-toggle`}
          disabled={disabled}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="visually-hidden"> passphrase</span>
        </button>
      }
    />
  );
}
