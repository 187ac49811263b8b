import { MAX_DEVICE_LIST_ENTRY_BYTES } from '../identity/deviceListEntry';
import { MAX_DEVICE_LIST_ENTRIES } from '../identity/deviceListVerify';

/**
 * Several entries in one blob (fork evidence at rest, `device_list_forks.theirs`):
 * u16 length, entry; repeated. Read back strictly: a bad length or trailing
 * bytes give null, never a partial chain.
 */
export function packEntries(entries: readonly Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e));
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function unpackEntries(blob: Uint8Array): Uint8Array[] | null {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < b.length) {
    if (at + 2 > b.length || out.length >= MAX_DEVICE_LIST_ENTRIES) return null;
    const len = b.readUInt16BE(at);
    if (len === 0 || len > MAX_DEVICE_LIST_ENTRY_BYTES || at + 2 + len > b.length) return null;
    out.push(new Uint8Array(b.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  return out;
}
