/**
 * Why a link attempt ended without a new device (docs/protocol.md §13.5,
 * "Failures"), on either side. The words are the core's default; the
 * renderer may word them its own way from the reason.
 */
export type LinkFailure =
  | 'unreachable'
  | 'wrong-device'
  | 'code-not-live'
  | 'declined'
  | 'device-limit'
  | 'list-changed'
  | 'failed'
  | 'interrupted'
  | 'too-many-attempts';

export const LINK_FAILURES: Record<LinkFailure, string> = {
  unreachable:
    'Could not reach your other device. Keep Parley open there, on the same network, and try again.',
  'wrong-device': 'This code does not lead to your device. Scan or copy the code again.',
  'code-not-live':
    'This code is no longer valid (expired, used or cancelled). Show a new one on your other device.',
  declined: 'The codes did not match, or linking was cancelled. Start again with a new code.',
  'device-limit': 'You already have 5 devices. Remove one on another device first.',
  'list-changed': 'Your devices changed while linking. Start again with a new code.',
  failed: 'Your other device could not save the new device. Nothing was changed; try again.',
  interrupted: 'The connection was lost while linking. Start again with a new code.',
  'too-many-attempts': 'Too many wrong attempts: the code was cancelled. Show a new one.',
};

/** A link attempt ended for `reason`; nothing was stored on the side that throws it. */
export class LinkError extends Error {
  constructor(
    readonly reason: LinkFailure,
    options?: { cause?: unknown },
  ) {
    super(LINK_FAILURES[reason], options);
    this.name = 'LinkError';
  }
}
