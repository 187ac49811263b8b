import type { ConversationInfo } from '../../../../src-shared/contract/areas/conversations';

/**
 * The MLS cipher suite and epoch: useful when comparing two devices or filing a
 * bug, jargon to everyone else, so they wait behind a closed "Advanced"
 * disclosure (a native <details>: keyboard and screen readers know it).
 */
export function ProtocolDetails({ info }: { info: ConversationInfo }) {
  return (
    <details className="info-advanced" data-testid="info-advanced">
      <summary className="info-advanced__summary">Advanced</summary>
      <dl className="info-facts">
        <dt>Cipher suite</dt>
        <dd data-testid="info-ciphersuite">{info.ciphersuite.name}</dd>
        <dt>Epoch</dt>
        <dd data-testid="info-epoch">{info.epoch}</dd>
      </dl>
      <p className="dialog-section__text">
        The epoch counts this conversation&rsquo;s key changes: it goes up whenever someone joins, leaves or
        updates their keys.
      </p>
    </details>
  );
}
