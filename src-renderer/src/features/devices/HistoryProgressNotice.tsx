import { useAppStore } from '../../store/appStore';
import { Button } from '../../components/Button';

/**
 * The history coming to this newly linked device (issue 18, docs/protocol.md
 * §13.7), above the home screen while it runs: what phase it is in and how
 * far, then "copied" (dismissable) or what went wrong. The app is usable
 * meanwhile; messages appear as the import goes.
 */
export function HistoryProgressNotice() {
  const p = useAppStore((s) => s.historyProgress);
  const dismiss = useAppStore((s) => s.dismissHistoryProgress);
  if (!p) return null;
  const fraction =
    p.phase === 'database' && p.bytesTotal > 0
      ? p.bytesDone / p.bytesTotal
      : p.phase === 'import' && p.messagesTotal > 0
        ? p.messagesDone / p.messagesTotal
        : null;
  const text =
    p.phase === 'snapshot'
      ? 'Your other device is preparing your history…'
      : p.phase === 'database'
        ? `Copying your history from your other device… ${formatMb(p.bytesDone)} of ${formatMb(p.bytesTotal)}`
        : p.phase === 'import'
          ? `Adding your history… ${p.messagesDone.toLocaleString()} of ${p.messagesTotal.toLocaleString()} messages`
          : p.phase === 'files'
            ? 'Copying files from your other device…'
            : p.phase === 'done'
              ? `Your history is here: ${p.messagesTotal.toLocaleString()} ${p.messagesTotal === 1 ? 'message' : 'messages'}.`
              : `Your history was not copied. ${p.error ?? ''}`;
  const ended = p.phase === 'done' || p.phase === 'failed';
  return (
    <div className="history-progress" data-testid="history-progress" data-phase={p.phase}>
      <div className="history-progress__row">
        <p className="history-progress__text" role={p.phase === 'failed' ? 'alert' : 'status'}>
          {text}
        </p>
        {ended ? (
          <Button testId="history-progress-dismiss" variant="ghost" size="sm" onClick={dismiss}>
            Dismiss
          </Button>
        ) : null}
      </div>
      {!ended ? (
        <progress
          className="history-progress__bar"
          aria-label="History copied"
          {...(fraction !== null ? { value: fraction, max: 1 } : {})}
        />
      ) : null}
    </div>
  );
}

function formatMb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
