import { Button } from '../../components/Button';
import { CardScreen } from '../../components/CardScreen';
import { useAppStore } from '../../store/appStore';

function WarningMark() {
  return (
    <svg className="mark mark--warning" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      <path className="mark__shape" d="M24 5 45 42H3z" />
      <path className="mark__glyph" d="M24 18v12" />
      <circle className="mark__dot" cx="24" cy="35.5" r="1.9" />
    </svg>
  );
}

/** Shown for state 'damaged': nothing here can fix the profile, so say what is wrong and how to recover. */
export function DamagedScreen() {
  const problem = useAppStore((s) => s.status?.problem);
  const profileDir = useAppStore((s) => s.appInfo?.profileDir);
  const refreshStatus = useAppStore((s) => s.refreshStatus);

  return (
    <CardScreen
      testId="damaged-screen"
      wide
      icon={<WarningMark />}
      title="This profile cannot be opened"
      lede="Parley found your profile but part of it is damaged. Nothing has been changed or deleted."
    >
      <div className="callout callout--warning">
        <p className="callout__title">What is wrong</p>
        <p className="callout__text" data-testid="damaged-problem">
          {problem ?? 'The profile is damaged.'}
        </p>
      </div>
      <div className="prose">
        <p>To get going again:</p>
        <ol>
          <li>
            Restore your most recent backup with <code className="nowrap">parley restore</code>.
          </li>
          <li>If you have no backup, move the profile folder somewhere safe and start a new profile.</li>
        </ol>
        {profileDir ? (
          <p className="prose__path">
            Profile folder: <code data-testid="damaged-profile-dir">{profileDir}</code>
          </p>
        ) : null}
      </div>
      <Button testId="damaged-retry" variant="secondary" block onClick={() => void refreshStatus()}>
        Check again
      </Button>
    </CardScreen>
  );
}
