import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GroupContext } from 'ts-mls';
import { decodeAuthenticatedContent } from 'ts-mls/authenticatedContent.js';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { encodeCommit } from 'ts-mls/commit.js';
import { determineLength } from 'ts-mls/codec/variableLength.js';
import { refhash } from 'ts-mls/crypto/hash.js';
import { decryptWithLabel, encryptWithLabel } from 'ts-mls/crypto/hpke.js';
import { deriveSecret, deriveTreeSecret, expandWithLabel } from 'ts-mls/crypto/kdf.js';
import { signWithLabel, verifyWithLabel } from 'ts-mls/crypto/signature.js';
import { encodeGroupContext } from 'ts-mls/groupContext.js';
import { initializeEpoch, mlsExporter } from 'ts-mls/keySchedule.js';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { unprotectPublicMessage } from 'ts-mls/messageProtectionPublic.js';
import { encodeProposal } from 'ts-mls/proposal.js';
import { createSecretTree, ratchetToGeneration } from 'ts-mls/secretTree.js';
import { expandSenderDataKey, expandSenderDataNonce, type ReuseGuard } from 'ts-mls/sender.js';
import { createConfirmedHash, createInterimHash } from 'ts-mls/transcriptHash.js';
import { left, nodeWidth, parent, right, root, sibling, toNodeIndex } from 'ts-mls/treemath.js';
import { describe, expect, it } from 'vitest';
import { decodeAll, DIR, hex, impl, load, message, present, suite1, toHex } from './testing/interopVectors';

/**
 * The IETF MLS interoperability vectors (mlswg/mls-implementations) run
 * against the pinned ts-mls *with Parley's node:crypto provider*: they are
 * what shows that our hash, HKDF, Ed25519, AES-GCM and HPKE (DHKEM-X25519)
 * compute exactly what RFC 9420 says. The vectors cover suites 1–7; Parley's
 * provider speaks suite 1 of those, so each file is filtered to suite 1
 * (suite-independent files run whole). The X-Wing suite has no IETF vectors;
 * crypto/hpke.test.ts cross-checks it against two other implementations.
 */

if (!present) {
  describe('IETF MLS interop vectors', () => {
    it.skip(`skipped: no vectors at ${DIR} (set MLS_TEST_VECTORS or provide ../shared/mls-test-vectors)`, () => {});
  });
} else {
  describe('IETF MLS interop vectors', () => {
    it('match SHA256SUMS before anything else reads them', () => {
      const sums = readFileSync(join(DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
      expect(sums.length).toBeGreaterThanOrEqual(16);
      for (const line of sums) {
        const [sum, file] = line.trim().split(/\s+/);
        expect(file, line).toBeTruthy();
        const actual = createHash('sha256')
          .update(readFileSync(join(DIR, file ?? '')))
          .digest('hex');
        expect(actual, `${file} does not match SHA256SUMS`).toBe(sum);
      }
    });

    it('tree-math', () => {
      interface V {
        n_leaves: number;
        n_nodes: number;
        root: number;
        left: (number | null)[];
        right: (number | null)[];
        parent: (number | null)[];
        sibling: (number | null)[];
      }
      for (const v of load<V>('tree-math')) {
        expect(nodeWidth(v.n_leaves)).toBe(v.n_nodes);
        expect(root(v.n_leaves)).toBe(v.root);
        const check = (expected: (number | null)[], f: (i: number) => number) =>
          expected.forEach((e, i) => (e === null ? expect(() => f(i)).toThrow() : expect(f(i)).toBe(e)));
        check(v.left, (i) => left(toNodeIndex(i)));
        check(v.right, (i) => right(toNodeIndex(i)));
        check(v.parent, (i) => parent(toNodeIndex(i), v.n_leaves));
        check(v.sibling, (i) => sibling(toNodeIndex(i), v.n_leaves));
      }
    });

    it('deserialization (variable-length headers)', () => {
      for (const v of load<{ vlbytes_header: string; length: number }>('deserialization')) {
        expect(determineLength(hex(v.vlbytes_header)).length).toBe(v.length);
      }
    });

    it('crypto-basics: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel, EncryptWithLabel', async () => {
      interface V {
        cipher_suite: number;
        ref_hash: { label: string; value: string; out: string };
        expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
        derive_secret: { secret: string; label: string; out: string };
        derive_tree_secret: {
          secret: string;
          label: string;
          generation: number;
          length: number;
          out: string;
        };
        sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
        encrypt_with_label: {
          priv: string;
          pub: string;
          label: string;
          context: string;
          plaintext: string;
          kem_output: string;
          ciphertext: string;
        };
      }
      const cs = await impl();
      for (const v of suite1<V>('crypto-basics')) {
        expect(toHex(await refhash(v.ref_hash.label, hex(v.ref_hash.value), cs.hash))).toBe(v.ref_hash.out);
        const e = v.expand_with_label;
        expect(toHex(await expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length, cs.kdf))).toBe(
          e.out,
        );
        expect(toHex(await deriveSecret(hex(v.derive_secret.secret), v.derive_secret.label, cs.kdf))).toBe(
          v.derive_secret.out,
        );
        const d = v.derive_tree_secret;
        expect(toHex(await deriveTreeSecret(hex(d.secret), d.label, d.generation, d.length, cs.kdf))).toBe(
          d.out,
        );
        const s = v.sign_with_label;
        expect(
          await verifyWithLabel(hex(s.pub), s.label, hex(s.content), hex(s.signature), cs.signature),
        ).toBe(true);
        const mine = await signWithLabel(hex(s.priv), s.label, hex(s.content), cs.signature);
        // Ed25519 is deterministic (RFC 8032): our signature is the vector's.
        expect(toHex(mine)).toBe(s.signature);
        const h = v.encrypt_with_label;
        const sk = await cs.hpke.importPrivateKey(hex(h.priv));
        const opened = await decryptWithLabel(
          sk,
          h.label,
          hex(h.context),
          hex(h.kem_output),
          hex(h.ciphertext),
          cs.hpke,
        );
        expect(toHex(opened)).toBe(h.plaintext);
        const pk = await cs.hpke.importPublicKey(hex(h.pub));
        const sealed = await encryptWithLabel(pk, h.label, hex(h.context), hex(h.plaintext), cs.hpke);
        expect(
          toHex(await decryptWithLabel(sk, h.label, hex(h.context), sealed.enc, sealed.ct, cs.hpke)),
        ).toBe(h.plaintext);
      }
    });

    it('key-schedule (epoch secrets, exporter, external_pub)', async () => {
      interface Epoch {
        tree_hash: string;
        commit_secret: string;
        psk_secret: string;
        confirmed_transcript_hash: string;
        group_context: string;
        joiner_secret: string;
        welcome_secret: string;
        init_secret: string;
        sender_data_secret: string;
        encryption_secret: string;
        exporter_secret: string;
        epoch_authenticator: string;
        external_secret: string;
        confirmation_key: string;
        membership_key: string;
        resumption_psk: string;
        external_pub: string;
        exporter: { label: string; context: string; length: number; secret: string };
      }
      const cs = await impl();
      for (const v of suite1<{
        cipher_suite: number;
        group_id: string;
        initial_init_secret: string;
        epochs: Epoch[];
      }>('key-schedule')) {
        let initSecret: Uint8Array = hex(v.initial_init_secret);
        for (const [i, e] of v.epochs.entries()) {
          const gc: GroupContext = {
            version: 'mls10',
            cipherSuite: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
            groupId: hex(v.group_id),
            epoch: BigInt(i),
            treeHash: hex(e.tree_hash),
            confirmedTranscriptHash: hex(e.confirmed_transcript_hash),
            extensions: [],
          };
          expect(toHex(encodeGroupContext(gc))).toBe(e.group_context);
          const r = await initializeEpoch(initSecret, hex(e.commit_secret), gc, hex(e.psk_secret), cs.kdf);
          expect(toHex(r.joinerSecret)).toBe(e.joiner_secret);
          expect(toHex(r.welcomeSecret)).toBe(e.welcome_secret);
          expect(toHex(r.encryptionSecret)).toBe(e.encryption_secret);
          const ks = r.keySchedule;
          expect(toHex(ks.initSecret)).toBe(e.init_secret);
          expect(toHex(ks.senderDataSecret)).toBe(e.sender_data_secret);
          expect(toHex(ks.exporterSecret)).toBe(e.exporter_secret);
          expect(toHex(ks.epochAuthenticator)).toBe(e.epoch_authenticator);
          expect(toHex(ks.externalSecret)).toBe(e.external_secret);
          expect(toHex(ks.confirmationKey)).toBe(e.confirmation_key);
          expect(toHex(ks.membershipKey)).toBe(e.membership_key);
          expect(toHex(ks.resumptionPsk)).toBe(e.resumption_psk);
          const { publicKey } = await cs.hpke.deriveKeyPair(ks.externalSecret);
          expect(toHex(await cs.hpke.exportPublicKey(publicKey))).toBe(e.external_pub);
          const x = e.exporter;
          expect(toHex(await mlsExporter(ks.exporterSecret, x.label, hex(x.context), x.length, cs))).toBe(
            x.secret,
          );
          initSecret = ks.initSecret;
        }
      }
    });

    it('secret-tree (sender data keys, application and handshake ratchets)', async () => {
      interface Leaf {
        generation: number;
        application_key: string;
        application_nonce: string;
        handshake_key: string;
        handshake_nonce: string;
      }
      interface V {
        cipher_suite: number;
        encryption_secret: string;
        sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
        leaves: Leaf[][];
      }
      const cs = await impl();
      const retention = {
        retainKeysForGenerations: 1000,
        retainKeysForEpochs: 1,
        maximumForwardRatchetSteps: 1 << 20,
      };
      for (const v of suite1<V>('secret-tree')) {
        const sd = v.sender_data;
        expect(toHex(await expandSenderDataKey(cs, hex(sd.sender_data_secret), hex(sd.ciphertext)))).toBe(
          sd.key,
        );
        expect(toHex(await expandSenderDataNonce(cs, hex(sd.sender_data_secret), hex(sd.ciphertext)))).toBe(
          sd.nonce,
        );
        let tree = await createSecretTree(v.leaves.length, hex(v.encryption_secret), cs.kdf);
        for (const [leafIndex, gens] of v.leaves.entries()) {
          for (const g of gens) {
            const senderData = {
              leafIndex,
              generation: g.generation,
              reuseGuard: new Uint8Array(4) as ReuseGuard,
            };
            const app = await ratchetToGeneration(tree, senderData, 'application', retention, cs);
            expect(toHex(app.key)).toBe(g.application_key);
            expect(toHex(app.nonce)).toBe(g.application_nonce);
            const hs = await ratchetToGeneration(app.newTree, senderData, 'commit', retention, cs);
            expect(toHex(hs.key)).toBe(g.handshake_key);
            expect(toHex(hs.nonce)).toBe(g.handshake_nonce);
            tree = hs.newTree;
          }
        }
      }
    });

    it('message-protection (Public/PrivateMessage: proposal, commit, application)', async () => {
      interface V {
        cipher_suite: number;
        group_id: string;
        epoch: number;
        tree_hash: string;
        confirmed_transcript_hash: string;
        signature_pub: string;
        encryption_secret: string;
        sender_data_secret: string;
        membership_key: string;
        proposal: string;
        proposal_pub: string;
        proposal_priv: string;
        commit: string;
        commit_pub: string;
        commit_priv: string;
        application: string;
        application_priv: string;
      }
      const cs = await impl();
      const retention = defaultClientConfig.keyRetentionConfig;
      for (const v of suite1<V>('message-protection')) {
        const gc: GroupContext = {
          version: 'mls10',
          cipherSuite: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
          groupId: hex(v.group_id),
          epoch: BigInt(v.epoch),
          treeHash: hex(v.tree_hash),
          confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
          extensions: [],
        };
        const sigPub = hex(v.signature_pub);
        for (const [pub, expected] of [
          [v.proposal_pub, v.proposal],
          [v.commit_pub, v.commit],
        ] as const) {
          const m = message(pub);
          if (m.wireformat !== 'mls_public_message') throw new Error('expected a PublicMessage');
          const content = await unprotectPublicMessage(
            hex(v.membership_key),
            gc,
            [],
            m.publicMessage,
            cs,
            sigPub,
          );
          const body = content.content;
          const encoded =
            body.contentType === 'proposal' ? encodeProposal(body.proposal) : encodeCommit(body.commit);
          expect(toHex(encoded)).toBe(expected);
        }
        for (const [priv, expected] of [
          [v.proposal_priv, v.proposal],
          [v.commit_priv, v.commit],
          [v.application_priv, v.application],
        ] as const) {
          const m = message(priv);
          if (m.wireformat !== 'mls_private_message') throw new Error('expected a PrivateMessage');
          const tree = await createSecretTree(2, hex(v.encryption_secret), cs.kdf);
          const r = await unprotectPrivateMessage(
            hex(v.sender_data_secret),
            m.privateMessage,
            tree,
            [],
            gc,
            retention,
            cs,
            sigPub,
          );
          const body = r.content.content;
          const encoded: Uint8Array =
            body.contentType === 'proposal'
              ? encodeProposal(body.proposal)
              : body.contentType === 'commit'
                ? encodeCommit(body.commit)
                : body.applicationData;
          expect(toHex(encoded)).toBe(expected);
        }
      }
    });

    it('transcript-hashes', async () => {
      interface V {
        cipher_suite: number;
        confirmation_key: string;
        authenticated_content: string;
        interim_transcript_hash_before: string;
        confirmed_transcript_hash_after: string;
        interim_transcript_hash_after: string;
      }
      const cs = await impl();
      for (const v of suite1<V>('transcript-hashes')) {
        const ac = decodeAll(decodeAuthenticatedContent, hex(v.authenticated_content));
        if (ac.content.contentType !== 'commit' || ac.auth.contentType !== 'commit')
          throw new Error('not a commit');
        const tag = ac.auth.confirmationTag;
        expect(
          await cs.hash.verifyMac(hex(v.confirmation_key), tag, hex(v.confirmed_transcript_hash_after)),
        ).toBe(true);
        const confirmed = await createConfirmedHash(
          hex(v.interim_transcript_hash_before),
          { wireformat: ac.wireformat, content: ac.content, signature: ac.auth.signature },
          cs.hash,
        );
        expect(toHex(confirmed)).toBe(v.confirmed_transcript_hash_after);
        expect(toHex(await createInterimHash(confirmed, tag, cs.hash))).toBe(v.interim_transcript_hash_after);
      }
    });
  });
}
