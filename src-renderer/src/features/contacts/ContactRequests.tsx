import { useState } from 'react';
import { api, toErrorPayload } from '../../api/client';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';

/** Pending contact requests at the top of the conversation list, each with Accept and Decline. */
export function ContactRequests() {
  const requests = useAppStore((s) => s.contactRequests);
  const loadContacts = useAppStore((s) => s.loadContacts);
  const loadConversations = useAppStore((s) => s.loadConversations);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (requests.length === 0) return null;

  async function respond(requestId: number, accept: boolean) {
    setBusyId(requestId);
    setError(null);
    try {
      await api.respondToRequest(requestId, accept);
      await loadContacts();
      if (accept) await loadConversations();
    } catch (err) {
      setError(toErrorPayload(err).message);
    } finally {
      setBusyId(null);
    }
  }

  return (
    <section className="requests" aria-labelledby="requests-heading" data-testid="contact-requests">
      <h3 className="requests__heading" id="requests-heading">
        Contact requests ({requests.length})
      </h3>
      {error ? (
        <p className="dialog-error" role="alert" data-testid="contact-request-error">
          {error}
        </p>
      ) : null}
      <ul className="requests__list">
        {requests.map((r) => (
          <li key={r.id} className="request" data-testid="contact-request" data-request-id={r.id}>
            <p className="request__name" data-testid="contact-request-name">
              {r.name}
            </p>
            {r.message ? (
              <p className="request__message" data-testid="contact-request-message">
                {r.message}
              </p>
            ) : null}
            <div className="request__actions">
              <Button
                testId="contact-request-accept"
                size="sm"
                busy={busyId === r.id}
                disabled={busyId !== null}
                aria-label={`Accept ${r.name}`}
                onClick={() => void respond(r.id, true)}
              >
                Accept
              </Button>
              <Button
                testId="contact-request-decline"
                size="sm"
                variant="secondary"
                disabled={busyId !== null}
                aria-label={`Decline ${r.name}`}
                onClick={() => void respond(r.id, false)}
              >
                Decline
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
