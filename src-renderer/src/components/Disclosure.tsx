import { useId, useState, type ReactNode } from 'react';
import { ChevronIcon } from './Icons';

export interface DisclosureProps {
  /** What the hidden part is; the button's name, read with its state ("collapsed"/"expanded"). */
  title: string;
  /** The current values in a few words, shown beside the title so the user need not open it to know. */
  summary?: ReactNode;
  /** `<testId>-toggle` is the button, `<testId>` the part it shows. */
  testId: string;
  children: ReactNode;
}

/**
 * A row that shows or hides a part of a page (the WAI-ARIA APG disclosure
 * pattern): a button inside a heading, with aria-expanded and aria-controls,
 * operated by Enter and Space like any button, focus staying on it. Closed on
 * each visit: nothing is remembered between visits. What is hidden stays
 * mounted (the `hidden` attribute), so a half-typed value survives closing
 * and opening it again.
 */
export function Disclosure({ title, summary, testId, children }: DisclosureProps) {
  const [open, setOpen] = useState(false);
  const panelId = `${useId()}-panel`;
  return (
    <div className={`disclosure${open ? ' is-open' : ''}`}>
      <h3 className="disclosure__heading">
        <button
          type="button"
          className="disclosure__toggle"
          aria-expanded={open}
          aria-controls={panelId}
          data-testid={`${testId}-toggle`}
          onClick={() => setOpen((o) => !o)}
        >
          <span className="disclosure__chevron">
            <ChevronIcon />
          </span>
          <span className="disclosure__title">{title}</span>
          {summary ? <span className="disclosure__summary">{summary}</span> : null}
        </button>
      </h3>
      <div className="disclosure__panel" id={panelId} hidden={!open} data-testid={testId}>
        {children}
      </div>
    </div>
  );
}
