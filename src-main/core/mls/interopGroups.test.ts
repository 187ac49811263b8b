import {
  decodeMlsMessage,
  encodeMlsMessage,
  joinGroup,
  makePskIndex,
  processMessage,
  acceptAll,
  type ClientState,
  type PreSharedKeyID,
  type RatchetTree,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { decodeCommit, encodeCommit } from 'ts-mls/commit.js';
import type { Decoder } from 'ts-mls/codec/tlsDecoder.js';
import type { Encoder } from 'ts-mls/codec/tlsEncoder.js';
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from 'ts-mls/groupInfo.js';
import { decodeGroupSecrets, encodeGroupSecrets } from 'ts-mls/groupSecrets.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignature } from 'ts-mls/leafNode.js';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import {
  decodeAdd,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodePSK,
  decodeReinit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodePSK,
  encodeReinit,
  encodeRemove,
  encodeUpdate,
} from 'ts-mls/proposal.js';
import { accumulatePskSecret } from 'ts-mls/pskIndex.js';
import { decodeRatchetTree, encodeRatchetTree, resolution } from 'ts-mls/ratchetTree.js';
import { treeHash } from 'ts-mls/treeHash.js';
import { toNodeIndex } from 'ts-mls/treemath.js';
import { decryptGroupInfo, decryptGroupSecrets } from 'ts-mls/welcome.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checksumMismatches,
  decodeAll,
  DIR,
  hex,
  impl,
  load,
  message,
  present,
  suite1,
  toHex,
} from './testing/interopVectors';

/**
 * The IETF MLS interop vectors, second half (interop.test.ts has the first
 * and says what they show): welcome, psk_secret, tree-validation, the codec
 * round trip of every message structure and the passive-client files.
 */

if (!present) {
  describe('IETF MLS interop vectors (groups and messages)', () => {
    it.skip(`skipped: no vectors at ${DIR} (set MLS_TEST_VECTORS or provide ../shared/mls-test-vectors)`, () => {});
  });
} else {
  describe('IETF MLS interop vectors (groups and messages)', () => {
    beforeAll(() => {
      // interop.test.ts checks them as a test; here they must match before any is read.
      expect(checksumMismatches()).toEqual([]);
    });

    it('welcome (group secrets, GroupInfo tag and signature)', async () => {
      interface V {
        cipher_suite: number;
        init_priv: string;
        key_package: string;
        signer_pub: string;
        welcome: string;
      }
      const cs = await impl();
      for (const v of suite1<V>('welcome')) {
        const w = message(v.welcome);
        const kp = message(v.key_package);
        if (w.wireformat !== 'mls_welcome' || kp.wireformat !== 'mls_key_package')
          throw new Error('bad vector');
        const ref = await makeKeyPackageRef(kp.keyPackage, cs.hash);
        const sk = await cs.hpke.importPrivateKey(hex(v.init_priv));
        const secrets = await decryptGroupSecrets(sk, ref, w.welcome, cs.hpke);
        if (!secrets) throw new Error('group secrets do not decrypt');
        const psk = new Uint8Array(cs.kdf.size);
        const gi = await decryptGroupInfo(w.welcome, secrets.joinerSecret, psk, cs);
        if (!gi) throw new Error('GroupInfo does not decrypt');
        expect(await verifyGroupInfoConfirmationTag(gi, secrets.joinerSecret, psk, cs)).toBe(true);
        expect(await verifyGroupInfoSignature(gi, hex(v.signer_pub), cs.signature)).toBe(true);
      }
    });

    it('psk_secret', async () => {
      interface V {
        cipher_suite: number;
        psks: { psk_id: string; psk: string; psk_nonce: string }[];
        psk_secret: string;
      }
      const cs = await impl();
      for (const v of suite1<V>('psk_secret')) {
        const ids: PreSharedKeyID[] = v.psks.map((p) => ({
          psktype: 'external',
          pskId: hex(p.psk_id),
          pskNonce: hex(p.psk_nonce),
        }));
        const index = makePskIndex(
          undefined,
          Object.fromEntries(v.psks.map((p) => [Buffer.from(hex(p.psk_id)).toString('base64'), hex(p.psk)])),
        );
        const [secret] = await accumulatePskSecret(ids, index, cs, new Uint8Array(cs.kdf.size));
        expect(toHex(secret)).toBe(v.psk_secret);
      }
    });

    it('tree-validation (tree hashes, resolutions, parent hashes, leaf signatures)', async () => {
      interface V {
        cipher_suite: number;
        tree: string;
        group_id: string;
        tree_hashes: string[];
        resolutions: number[][];
      }
      const cs = await impl();
      for (const v of suite1<V>('tree-validation')) {
        const tree = decodeAll(decodeRatchetTree, hex(v.tree));
        for (const [i, h] of v.tree_hashes.entries()) {
          expect(toHex(await treeHash(tree, toNodeIndex(i), cs.hash))).toBe(h);
        }
        for (const [i, r] of v.resolutions.entries()) expect(resolution(tree, toNodeIndex(i))).toEqual(r);
        expect(await verifyParentHashes(tree, cs.hash)).toBe(true);
        for (const [i, n] of tree.entries()) {
          if (n?.nodeType === 'leaf') {
            expect(await verifyLeafNodeSignature(n.leaf, hex(v.group_id), i / 2, cs.signature)).toBe(true);
          }
        }
      }
    });

    it('messages (codec round trip of every structure)', () => {
      interface V {
        [field: string]: string;
      }
      const roundTrip = <T>(enc: Encoder<T>, dec: Decoder<T>, value: string | undefined) => {
        if (value === undefined) return;
        expect(toHex(enc(decodeAll(dec, hex(value))))).toBe(value);
      };
      for (const v of load<V>('messages')) {
        for (const f of [
          'mls_welcome',
          'mls_group_info',
          'mls_key_package',
          'public_message_application',
          'public_message_proposal',
          'public_message_commit',
          'private_message',
        ]) {
          roundTrip(encodeMlsMessage, decodeMlsMessage, v[f]);
        }
        roundTrip(encodeRatchetTree, decodeRatchetTree, v.ratchet_tree);
        roundTrip(encodeGroupSecrets, decodeGroupSecrets, v.group_secrets);
        roundTrip(encodeAdd, decodeAdd, v.add_proposal);
        roundTrip(encodeUpdate, decodeUpdate, v.update_proposal);
        roundTrip(encodeRemove, decodeRemove, v.remove_proposal);
        roundTrip(encodePSK, decodePSK, v.pre_shared_key_proposal);
        roundTrip(encodeReinit, decodeReinit, v.re_init_proposal);
        roundTrip(encodeExternalInit, decodeExternalInit, v.external_init_proposal);
        roundTrip(
          encodeGroupContextExtensions,
          decodeGroupContextExtensions,
          v.group_context_extensions_proposal,
        );
        roundTrip(encodeCommit, decodeCommit, v.commit);
      }
    });

    interface Passive {
      cipher_suite: number;
      external_psks: { psk_id: string; psk: string }[];
      key_package: string;
      signature_priv: string;
      encryption_priv: string;
      init_priv: string;
      welcome: string;
      ratchet_tree: string | null;
      initial_epoch_authenticator: string;
      epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
    }

    /**
     * RFC 9420 end to end: join by Welcome, then process every proposal and
     * commit, and derive the same epoch authenticator as the vector's
     * authors. The vectors' credentials are not Parley's, so ts-mls's
     * accept-all authentication service is used here.
     */
    async function passive(v: Passive): Promise<void> {
      const cs = await impl();
      const kp = message(v.key_package);
      const w = message(v.welcome);
      if (kp.wireformat !== 'mls_key_package' || w.wireformat !== 'mls_welcome')
        throw new Error('bad vector');
      const psks = Object.fromEntries(
        v.external_psks.map((p) => [Buffer.from(hex(p.psk_id)).toString('base64'), hex(p.psk)]),
      );
      const tree: RatchetTree | undefined = v.ratchet_tree
        ? decodeAll(decodeRatchetTree, hex(v.ratchet_tree))
        : undefined;
      let state: ClientState = await joinGroup(
        w.welcome,
        kp.keyPackage,
        {
          initPrivateKey: hex(v.init_priv),
          hpkePrivateKey: hex(v.encryption_priv),
          signaturePrivateKey: hex(v.signature_priv),
        },
        makePskIndex(undefined, psks),
        cs,
        tree,
        undefined,
        defaultClientConfig,
      );
      expect(toHex(state.keySchedule.epochAuthenticator)).toBe(v.initial_epoch_authenticator);
      for (const epoch of v.epochs) {
        for (const bytes of [...epoch.proposals, epoch.commit]) {
          const m = message(bytes);
          if (m.wireformat !== 'mls_private_message' && m.wireformat !== 'mls_public_message') {
            throw new Error('expected a group message');
          }
          state = (await processMessage(m, state, makePskIndex(state, psks), acceptAll, cs)).newState;
        }
        expect(toHex(state.keySchedule.epochAuthenticator)).toBe(epoch.epoch_authenticator);
      }
    }

    it('passive-client-welcome', async () => {
      const vectors = suite1<Passive>('passive-client-welcome');
      expect(vectors.length).toBeGreaterThan(0);
      for (const v of vectors) await passive(v);
    });

    it('passive-client-handling-commit', async () => {
      const vectors = suite1<Passive>('passive-client-handling-commit');
      expect(vectors.length).toBeGreaterThan(0);
      for (const v of vectors) await passive(v);
    });

    it('passive-client-random', async () => {
      const vectors = suite1<Passive>('passive-client-random');
      expect(vectors.length).toBeGreaterThan(0);
      for (const v of vectors) await passive(v);
    });
  });
}
