/** Small decorative icons; the control around each carries the accessible name. */
import type { ReactNode } from 'react';

function Svg({ children }: { children: ReactNode }) {
  return (
    <svg className="icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round' } as const;

export function SearchIcon() {
  return (
    <Svg>
      <circle cx="8.5" cy="8.5" r="5.25" {...stroke} />
      <path d="M12.5 12.5l4.5 4.5" {...stroke} />
    </Svg>
  );
}

export function SettingsIcon() {
  return (
    <Svg>
      <circle cx="10" cy="10" r="2.6" {...stroke} />
      <path
        d="M10 2.5v2.2M10 15.3v2.2M2.5 10h2.2M15.3 10h2.2M4.7 4.7l1.6 1.6M13.7 13.7l1.6 1.6M4.7 15.3l1.6-1.6M13.7 6.3l1.6-1.6"
        {...stroke}
      />
    </Svg>
  );
}

export function LockIcon() {
  return (
    <Svg>
      <rect x="4" y="9" width="12" height="8.5" rx="2" {...stroke} />
      <path d="M7 9V6.5a3 3 0 0 1 6 0V9" {...stroke} />
    </Svg>
  );
}

export function MutedIcon() {
  return (
    <Svg>
      <path d="M5 8a5 5 0 0 1 8.6-3.4M15 9v3l1.5 2.5h-11" {...stroke} />
      <path d="M8.5 17h3M3 3l14 14" {...stroke} />
    </Svg>
  );
}

export function ArrowDownIcon() {
  return (
    <Svg>
      <path d="M10 4v12M5 11l5 5 5-5" {...stroke} />
    </Svg>
  );
}

/** Points right when closed; CSS turns it down when its disclosure is open. */
export function ChevronIcon() {
  return (
    <Svg>
      <path d="M7.5 4.5L13 10l-5.5 5.5" {...stroke} />
    </Svg>
  );
}

export function BackIcon() {
  return (
    <Svg>
      <path d="M12.5 4.5L7 10l5.5 5.5" {...stroke} />
    </Svg>
  );
}

export function CheckIcon({ double = false }: { double?: boolean }) {
  return (
    <Svg>
      <path d="M3 10.5l3.5 3.5L13 7" {...stroke} />
      {double ? <path d="M9.5 13.5l.5.5L16.5 7" {...stroke} /> : null}
    </Svg>
  );
}

export function ClockIcon() {
  return (
    <Svg>
      <circle cx="10" cy="10" r="6.5" {...stroke} />
      <path d="M10 6.5V10l2.5 1.5" {...stroke} />
    </Svg>
  );
}

export function AddPersonIcon() {
  return (
    <Svg>
      <circle cx="8" cy="7" r="3.25" {...stroke} />
      <path d="M2.75 16.5c.6-3 2.7-4.75 5.25-4.75s4.65 1.75 5.25 4.75M15.5 5.5v5M13 8h5" {...stroke} />
    </Svg>
  );
}

export function GroupIcon() {
  return (
    <Svg>
      <circle cx="7" cy="7.5" r="2.75" {...stroke} />
      <circle cx="13.5" cy="6.5" r="2.25" {...stroke} />
      <path d="M2.5 16c.5-2.6 2.3-4 4.5-4s4 1.4 4.5 4M12 11.2c2.5-.5 4.6.7 5.3 3.3" {...stroke} />
    </Svg>
  );
}

export function HourglassIcon() {
  return (
    <Svg>
      <path d="M5.5 3h9M5.5 17h9M6.5 3c0 4 7 4 7 7s-7 3-7 7M13.5 3c0 4-7 4-7 7s7 3 7 7" {...stroke} />
    </Svg>
  );
}

/** Held by a contact for delivery: a tray with a message going in. */
export function HeldIcon() {
  return (
    <Svg>
      <path d="M3 11.5h4l1.2 2h3.6l1.2-2h4V16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z" {...stroke} />
      <path d="M10 3v7M7.2 7.4L10 10l2.8-2.6" {...stroke} />
    </Svg>
  );
}

/** Read: a filled disc with a double check, unlike the outline ticks of sent and delivered. */
export function ReadIcon() {
  return (
    <Svg>
      <circle cx="10" cy="10" r="8" fill="currentColor" />
      <path
        d="M4.8 10.4l2.2 2.2 4.4-5M9.6 12l0.6 0.6 4.4-5"
        fill="none"
        stroke="var(--read-check, #fff)"
        strokeWidth={1.6}
        strokeLinecap="round"
      />
    </Svg>
  );
}

/** Not sent: a warning triangle. */
export function FailedIcon() {
  return (
    <Svg>
      <path d="M10 3l7.5 13.5h-15z" {...stroke} strokeLinejoin="round" />
      <path d="M10 8.2v3.8M10 14.2v0.1" {...stroke} />
    </Svg>
  );
}

/** Will not be delivered (the contact is blocked): a circle with a bar across. */
export function BlockedIcon() {
  return (
    <Svg>
      <circle cx="10" cy="10" r="6.5" {...stroke} />
      <path d="M5.4 14.6l9.2-9.2" {...stroke} />
    </Svg>
  );
}

/** A panel with an arrow: collapse the sidebar (pointing left) or expand it (pointing right). */
export function SidebarIcon({ expand = false }: { expand?: boolean }) {
  return (
    <Svg>
      <rect x="3" y="4" width="14" height="12" rx="2" {...stroke} />
      <path d="M8 4v12" {...stroke} />
      <path d={expand ? 'M11.5 8l2 2-2 2' : 'M13.5 8l-2 2 2 2'} {...stroke} />
    </Svg>
  );
}
