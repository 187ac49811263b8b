/**
 * What one delivery envelope carries between two devices (the payload of
 * `deliver`, and inside the sealed box a holder keeps):
 *
 *   u8 version (1) | u8 kind
 *   kind 1, group message: u8 group id length | group id | MLSMessage (PrivateMessage)
 *   kind 2, welcome:       u32 Welcome length | MLSMessage (Welcome) | ratchet tree
 *
 * The group id routes a message to its conversation before MLS looks at it;
 * a wrong one only makes MLS reject the message. The ratchet tree travels
 * beside a Welcome because Parley's Welcomes do not embed it.
 */
export type WireFrame =
  | { kind: 'group'; groupId: Uint8Array; message: Uint8Array }
  | { kind: 'welcome'; welcome: Uint8Array; ratchetTree: Uint8Array };

const VERSION = 1;
const GROUP = 1;
const WELCOME = 2;

export function encodeFrame(f: WireFrame): Uint8Array {
  if (f.kind === 'group') {
    if (f.groupId.length > 255) throw new RangeError('group id too long');
    return new Uint8Array(
      Buffer.concat([Buffer.from([VERSION, GROUP, f.groupId.length]), f.groupId, f.message]),
    );
  }
  const len = Buffer.alloc(4);
  len.writeUInt32BE(f.welcome.length);
  return new Uint8Array(Buffer.concat([Buffer.from([VERSION, WELCOME]), len, f.welcome, f.ratchetTree]));
}

/** The frame, or null for anything malformed. */
export function decodeFrame(bytes: Uint8Array): WireFrame | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 3 || b[0] !== VERSION) return null;
  if (b[1] === GROUP) {
    const n = b[2] ?? 0;
    if (n === 0 || b.length <= 3 + n) return null;
    return {
      kind: 'group',
      groupId: new Uint8Array(b.subarray(3, 3 + n)),
      message: new Uint8Array(b.subarray(3 + n)),
    };
  }
  if (b[1] === WELCOME) {
    if (b.length < 6) return null;
    const n = b.readUInt32BE(2);
    if (n === 0 || b.length <= 6 + n) return null;
    return {
      kind: 'welcome',
      welcome: new Uint8Array(b.subarray(6, 6 + n)),
      ratchetTree: new Uint8Array(b.subarray(6 + n)),
    };
  }
  return null;
}
