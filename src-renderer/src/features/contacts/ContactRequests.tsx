import { useState } from 'react';
import type { ContactRequestView } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';

/**
 * What we know about who sent a request (issue #14 item 2): a proven new
 * device of a contact needs no warning; anything else says plainly what the
 * user cannot take for granted.
 */
function RequestTrust({ request }: { request: ContactRequestView }) {
  const notes: string[] = [];
  if (request.contactId !== null) return null;
  if (request.sameNameAs !== null) {
    notes.push(`Not the ${request.sameNameAs} in your contacts: someone else using that name.`);
  }
  if (!request.proven) notes.push('Their device did not prove who it belongs to.');
  if (notes.length === 0) return null;
  return (
    <p className="request__warning" data-testid="contact-request-warning">
      {notes.join(' ')}
    </p>
  );
}

/** Pending contact requests at the top of the conversation list, each with Accept and Decline. */
export function ContactRequests() {
  const requests = useAppStore((s) => s.contactRequests);
  const respondToContactRequest = useAppStore((s) => s.respondToContactRequest);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (requests.length === 0) return null;

  async function respond(requestId: number, accept: boolean) {
    setBusyId(requestId);
    setError(null);
    const problem = await respondToContactRequest(requestId, accept);
    setBusyId(null);
    if (problem) setError(problem.message);
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
              <bdi>{r.name}</bdi>
              {r.contactId !== null ? <span className="request__tag"> · new device</span> : null}
            </p>
            <RequestTrust request={r} />
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
