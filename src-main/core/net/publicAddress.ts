import { isIP } from 'node:net';
import { isLoopback, isPrivate } from '@libp2p/utils';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { MAX_PUBLIC_ADDRESSES } from '../../../src-shared/contract/areas/network';

/**
 * A public address as the user types it in Settings → Network (issue 19;
 * docs/protocol.md §14.1): `host:port` (`203.0.113.7:4001`,
 * `[2001:db8::7]:4001`) or a multiaddr (`/ip4/203.0.113.7/tcp/4001`), made
 * into the multiaddr the node announces. Only IP literals and TCP: Parley
 * resolves no names for the user (a name would be looked up at every
 * contact, by their DNS resolver), and its only public transport is TCP.
 * An address other networks cannot reach is refused with the reason: a
 * device with a public address stops reserving on its contacts' relays
 * (§14.1), so a wrong one would make it unreachable.
 */

export { MAX_PUBLIC_ADDRESSES } from '../../../src-shared/contract/areas/network';
const MAX_TEXT = 200;

export type PublicAddressParse = { ok: true; address: string } | { ok: false; problem: string };

const EXAMPLE = 'Use host:port, e.g. 203.0.113.7:4001, or a multiaddr such as /ip4/203.0.113.7/tcp/4001.';

function fromHostPort(text: string): Multiaddr | string {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!match) return `“${text}” is not an address. ${EXAMPLE}`;
  const [, host = '', portText = ''] = match;
  const family = isIP(host);
  if (family === 0) return `“${host}” is not an IP address. Names are not supported: use the IP address.`;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    return `Port ${portText} is not between 1 and 65535.`;
  return multiaddr(`/ip${family}/${host}/tcp/${port}`);
}

function fromMultiaddr(text: string): Multiaddr | string {
  let ma: Multiaddr;
  try {
    ma = multiaddr(text);
  } catch {
    return `“${text}” is not a valid multiaddr. ${EXAMPLE}`;
  }
  const parts = ma.getComponents();
  const [host, port] = parts;
  if (parts.length !== 2 || (host?.name !== 'ip4' && host?.name !== 'ip6') || port?.name !== 'tcp')
    return `“${text}” must be an IP address and a TCP port, like /ip4/203.0.113.7/tcp/4001.`;
  if (Number(port.value) < 1) return `Port ${port.value ?? ''} is not between 1 and 65535.`;
  return ma;
}

/** One typed address → the announced multiaddr, or the problem in words. */
export function parsePublicAddress(input: string): PublicAddressParse {
  const text = input.trim();
  if (text === '') return { ok: false, problem: 'The address is empty.' };
  if (text.length > MAX_TEXT) return { ok: false, problem: 'The address is too long.' };
  const parsed = text.startsWith('/') ? fromMultiaddr(text) : fromHostPort(text);
  if (typeof parsed === 'string') return { ok: false, problem: parsed };
  const host = parsed.getComponents()[0]?.value ?? '';
  if (host === '0.0.0.0' || host === '::' || isLoopback(parsed))
    return { ok: false, problem: `${host} is not an address other networks can reach.` };
  if (isPrivate(parsed) || /^(169\.254\.|fe[89ab][0-9a-f]:)/i.test(host))
    return {
      ok: false,
      problem: `${host} is a private or reserved address: other networks cannot reach it. Enter the public address your router forwards to this device.`,
    };
  return { ok: true, address: parsed.toString() };
}

/** Every address parsed, duplicates dropped; the first problem (with its line) when any is wrong. */
export function parsePublicAddresses(
  inputs: readonly string[],
): { ok: true; addresses: string[] } | { ok: false; problem: string } {
  if (inputs.length > MAX_PUBLIC_ADDRESSES)
    return { ok: false, problem: `At most ${MAX_PUBLIC_ADDRESSES} public addresses.` };
  const addresses: string[] = [];
  for (const input of inputs) {
    const one = parsePublicAddress(input);
    if (!one.ok) return one;
    if (!addresses.includes(one.address)) addresses.push(one.address);
  }
  return { ok: true, addresses };
}
