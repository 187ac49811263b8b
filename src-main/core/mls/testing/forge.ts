import { createCommit, defaultAuthenticationService } from 'ts-mls';
import { unwrapState, suiteNameOf, type MlsGroupState } from '../groupState';
import { suiteImpl } from '../suites';
import { encodeMessage } from '../wire';

/**
 * For tests of other layers: a commit removing `leafIndex`, built with ts-mls
 * directly and so bypassing Parley's role checks — what a modified client of
 * a plain member could send. Honest members must reject it
 * (docs/protocol.md §6). The state given is not changed.
 */
export async function forgeRemoveCommit(state: MlsGroupState, leafIndex: number): Promise<Uint8Array> {
  const c = unwrapState(state);
  const impl = await suiteImpl(suiteNameOf(state));
  const permissive = { ...c.clientConfig, authService: defaultAuthenticationService };
  const r = await createCommit(
    { state: { ...c, clientConfig: permissive }, cipherSuite: impl },
    { extraProposals: [{ proposalType: 'remove', remove: { removed: leafIndex } }] },
  );
  return encodeMessage(r.commit);
}
