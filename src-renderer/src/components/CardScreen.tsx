import type { ReactNode } from 'react';
import { Logo } from './Logo';

export interface CardScreenProps {
  testId: string;
  title: string;
  lede?: ReactNode;
  /** Replaces the logo, e.g. with a warning mark on the damaged-profile screen. */
  icon?: ReactNode;
  wide?: boolean;
  /**
   * Keep the card's top edge still while its content grows (an error under a
   * field): anchored near the top instead of centred, which moved the whole
   * card up by half of every new line (issue 17 item 21).
   */
  steady?: boolean;
  children?: ReactNode;
}

/** The centred card every pre-home screen uses, inside the page's main landmark. */
export function CardScreen({
  testId,
  title,
  lede,
  icon,
  wide = false,
  steady = false,
  children,
}: CardScreenProps) {
  return (
    <main className={`screen-center${steady ? ' screen-center--steady' : ''}`} data-testid={testId}>
      <section className={`card${wide ? ' card--wide' : ''}`} aria-labelledby={`${testId}-title`}>
        <header className="card__header">
          {icon ?? <Logo />}
          <h1 className="card__title" id={`${testId}-title`}>
            {title}
          </h1>
          {lede ? <p className="card__lede">{lede}</p> : null}
        </header>
        {children}
      </section>
    </main>
  );
}
