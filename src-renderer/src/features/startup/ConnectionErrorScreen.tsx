import { Button } from '../../components/Button';
import { CardScreen } from '../../components/CardScreen';
import { useAppStore } from '../../store/appStore';

/** The core could not be reached at start-up (no token, server gone, bridge missing). */
export function ConnectionErrorScreen() {
  const error = useAppStore((s) => s.startupError);
  const start = useAppStore((s) => s.start);
  return (
    <CardScreen testId="connection-error-screen" title="Cannot reach Parley">
      <div className="callout callout--error" role="alert">
        <p className="callout__text" data-testid="connection-error-message">
          {error?.message ?? 'The connection to Parley failed.'}
        </p>
      </div>
      <Button testId="connection-retry" block onClick={() => void start()}>
        Try again
      </Button>
    </CardScreen>
  );
}
