import { useEffect, useId } from 'react';
import { Button } from '../../components/Button';
import { formatDateTime } from '../../lib/time';
import { readOnlyWords } from '../chat/readOnlyWords';
import { useAppStore } from '../../store/appStore';

/**
 * The "restored" context on the first unlock after a restore (issue #17
 * item 9): from which backup, what that means (a new device of the same
 * person, nothing newer than the backup), and which conversations are still
 * rejoining their group, live, each with whom it waits for. It stays until
 * the user chooses "Got it", across locks and restarts.
 */
export function RestoredNotice() {
  const notice = useAppStore((s) => s.restoreNotice);
  const load = useAppStore((s) => s.loadRestoreNotice);
  const dismiss = useAppStore((s) => s.dismissRestoreNotice);
  // A conversation that finished rejoining changes the home list: read the notice again then.
  const conversations = useAppStore((s) => s.conversations);
  const titleId = useId();

  const shown = notice !== null;
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (shown) void load();
  }, [load, shown, conversations]);

  if (!notice) return null;
  const backupAt = Date.parse(notice.backupCreatedAt);
  const when = Number.isNaN(backupAt) ? notice.backupCreatedAt : formatDateTime(backupAt);
  const waiting = notice.waiting.length;
  const rejoined = notice.total - waiting;
  return (
    <div className="home__banner">
      <section className="restored" aria-labelledby={titleId} data-testid="restored-notice">
        <div className="restored__head">
          <h2 className="restored__title" id={titleId}>
            Restored from your backup of {when}
          </h2>
          <Button testId="restored-dismiss" variant="secondary" size="sm" onClick={() => void dismiss()}>
            Got it
          </Button>
        </div>
        <p className="restored__text">
          This computer is now a new device of yours, with everything in the backup (messages sent since are
          not in it). Where this profile ran before, it stops sending in each conversation this device
          rejoins.
        </p>
        {notice.total > 0 ? (
          <div role="status" data-testid="restored-sync">
            {waiting > 0 ? (
              <>
                <p className="restored__text">
                  Still rejoining {waiting} of {notice.total}{' '}
                  {notice.total === 1 ? 'conversation' : 'conversations'} (read-only until then):
                </p>
                <ul className="restored__list">
                  {notice.waiting.map((w) => (
                    <li key={w.conversationId} data-testid="restored-waiting">
                      <strong>{w.title}</strong>: {readOnlyWords(w.waitingFor, w.title)}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="restored__text">
                All {rejoined} {rejoined === 1 ? 'conversation has' : 'conversations have'} rejoined: you can
                write in every one again.
              </p>
            )}
          </div>
        ) : null}
      </section>
    </div>
  );
}
