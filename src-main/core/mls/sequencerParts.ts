import { intentFromJson, intentToJson, type CommitIntent, type IntentJson } from './commitIntent';
import type { AcksJson } from './commitAcks';
import type { ReleasedWelcome, SequencerParts, UnsettledSend } from './sequencerTypes';

/**
 * How a GroupSequencer's parts are written (docs/protocol.md §10, "At
 * rest"): JSON with base64 byte fields, one part per column of
 * `mls_sequencer`, so a step rewrites only what it changed. Pure encoders
 * and decoders; the sequencer decides what goes in. A decoder throws on
 * anything it does not recognise; GroupSequencer.fromParts turns that into
 * DATABASE_CORRUPT.
 */

/** The small part: the applied commit and what decides its acceptance, held messages. */
export interface SequencerMeta {
  readonly applied: {
    readonly commit: Uint8Array;
    readonly rank: number;
    readonly own: CommitIntent | null;
  } | null;
  readonly appliedAt: number;
  readonly rejoinPending: boolean;
  readonly rivals: readonly string[];
  readonly held: readonly Uint8Array[];
  /** Who acked the applied commit (absent in parts written before acks existed: the window decides). */
  readonly acks: AcksJson | null;
  /** Older rows kept unsettled sends inside meta; they are moved to their own rows on the next write. */
  readonly legacyUnsettled: readonly UnsettledSend[];
}

interface MetaJson {
  v: number;
  applied: { commit: string; rank: number; own: IntentJson | null } | null;
  appliedAt: number;
  rejoinPending: boolean;
  rivals: string[];
  unsettled?: { p: string; a: string }[];
  held: string[];
  acks?: AcksJson;
}

type LogJson = { epoch: number; commit: string }[];

interface WelcomeJson {
  v: number;
  welcome: string;
  ratchetTree: string;
  recipients: string[];
}

interface SnapshotJson {
  v: number;
  current: string;
  previous: string | null;
  meta: string;
  log: string;
  welcome: string | null;
  unsettled?: { p: string; a: string }[];
}

const b64 = (x: Uint8Array) => Buffer.from(x).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toBytes = (data: unknown) => new Uint8Array(Buffer.from(JSON.stringify(data), 'utf8'));

function parseJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

export function encodeMeta(m: Omit<SequencerMeta, 'legacyUnsettled'>): Uint8Array {
  const data: MetaJson = {
    v: 2,
    applied: m.applied
      ? {
          commit: b64(m.applied.commit),
          rank: m.applied.rank,
          own: m.applied.own ? intentToJson(m.applied.own) : null,
        }
      : null,
    appliedAt: m.appliedAt,
    rejoinPending: m.rejoinPending,
    rivals: [...m.rivals],
    held: m.held.map(b64),
    ...(m.acks ? { acks: m.acks } : {}),
  };
  return toBytes(data);
}

export function decodeMeta(bytes: Uint8Array): SequencerMeta {
  const data = parseJson<MetaJson>(bytes);
  if (data.v !== 2) throw new Error('unknown MLS ordering state format');
  return {
    applied: data.applied
      ? {
          commit: unb64(data.applied.commit),
          rank: data.applied.rank,
          own: data.applied.own ? intentFromJson(data.applied.own) : null,
        }
      : null,
    appliedAt: data.appliedAt,
    rejoinPending: data.rejoinPending,
    rivals: data.rivals,
    held: data.held.map(unb64),
    acks: data.acks ?? null,
    legacyUnsettled: (data.unsettled ?? []).map((m) => ({
      plaintext: unb64(m.p),
      authenticatedData: unb64(m.a),
    })),
  };
}

export function encodeWelcome(w: ReleasedWelcome | null): Uint8Array | null {
  if (!w) return null;
  const data: WelcomeJson = {
    v: 1,
    welcome: b64(w.welcome),
    ratchetTree: b64(w.ratchetTree),
    recipients: [...w.recipients],
  };
  return toBytes(data);
}

export function decodeWelcome(bytes: Uint8Array): ReleasedWelcome {
  const w = parseJson<WelcomeJson>(bytes);
  if (w.v !== 1) throw new Error('unknown held Welcome format');
  return { welcome: unb64(w.welcome), ratchetTree: unb64(w.ratchetTree), recipients: w.recipients };
}

export function encodeLog(log: readonly { epoch: number; commit: Uint8Array }[]): Uint8Array {
  const data: LogJson = log.map((e) => ({ epoch: e.epoch, commit: b64(e.commit) }));
  return toBytes(data);
}

export function decodeLog(bytes: Uint8Array): { epoch: number; commit: Uint8Array }[] {
  return parseJson<LogJson>(bytes).map((e) => ({ epoch: e.epoch, commit: unb64(e.commit) }));
}

/** Everything as one blob (current state included): tests and exports. */
export function encodeSnapshot(s: {
  current: Uint8Array;
  previous: Uint8Array | null;
  meta: Uint8Array;
  log: Uint8Array;
  welcome: Uint8Array | null;
  unsettled: readonly UnsettledSend[];
}): Uint8Array {
  const data: SnapshotJson = {
    v: 2,
    current: b64(s.current),
    previous: s.previous ? b64(s.previous) : null,
    meta: b64(s.meta),
    log: b64(s.log),
    welcome: s.welcome ? b64(s.welcome) : null,
    unsettled: s.unsettled.map((m) => ({ p: b64(m.plaintext), a: b64(m.authenticatedData) })),
  };
  return toBytes(data);
}

/** The current state and the parts of a snapshot; throws on anything malformed. */
export function decodeSnapshot(bytes: Uint8Array): { current: Uint8Array; parts: SequencerParts } {
  const data = parseJson<SnapshotJson>(bytes);
  if (data.v !== 2) throw new Error('unknown MLS ordering state format');
  return {
    current: unb64(data.current),
    parts: {
      meta: unb64(data.meta),
      log: unb64(data.log),
      previous: data.previous ? unb64(data.previous) : null,
      welcome: data.welcome ? unb64(data.welcome) : null,
      unsettled: (data.unsettled ?? []).map((m) => ({
        plaintext: unb64(m.p),
        authenticatedData: unb64(m.a),
      })),
    },
  };
}
