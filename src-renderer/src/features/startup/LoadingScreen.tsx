import { CardScreen } from '../../components/CardScreen';
import { Spinner } from '../../components/Spinner';

/** Shown until the first profile status arrives (usually a blink). */
export function LoadingScreen() {
  return (
    <CardScreen testId="loading-screen" title="Parley">
      <p className="loading" role="status">
        <Spinner />
        <span>Opening Parley…</span>
      </p>
    </CardScreen>
  );
}
