/**
 * Which addresses a webhook may reach when the operator named no hosts: only public ones. A
 * client who could aim the worker's POST at loopback, a private network, link-local (cloud
 * metadata at 169.254.169.254) or the like would use the worker to reach what it cannot (SSRF).
 * Shared by the API (IP literals, refused at submission) and the worker (every address a host
 * name resolves to, checked at connect time, so a DNS answer cannot swap in a private address
 * after the check).
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Special-purpose ranges (IANA registries); IPv4-mapped IPv6 addresses match the IPv4 rules. */
const NON_PUBLIC = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');

/** True for a globally reachable unicast IP address; false for anything else, names included. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** True for names that always mean this machine (`localhost`, `*.localhost`: RFC 6761). */
export function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The host name resolved to an address that is not public (loopback, private, link-local…). */
export class NonPublicAddressError extends Error {
  override readonly name = 'NonPublicAddressError';
}

/** The shape of node:dns `lookup` with `all: true`, injected so that this module does no I/O. */
export type LookupAll = (
  hostname: string,
  options: { all: true; family?: number | string; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: Array<{ address: string; family: number }>) => void,
) => void;

/**
 * A socket `lookup` that fails unless every address the name resolves to is public. Given to
 * node:http as the connection's own lookup, the address checked is the address connected to, so
 * a name that resolves to a public address at submission and to 127.0.0.1 at delivery (DNS
 * rebinding) is still refused. Used by the worker's webhooks and the API's Judge0 callbacks.
 */
export function publicOnlyLookup(lookupAll: LookupAll): LookupFunction {
  return (hostname, options, callback) => {
    lookupAll(hostname, { ...options, all: true }, (err, addresses) => {
      const fail = (error: NodeJS.ErrnoException): void => (options.all ? callback(error, []) : callback(error, '', 0));
      if (err) return fail(err);
      const blocked = addresses.find((a) => !isPublicAddress(a.address));
      if (blocked !== undefined || addresses.length === 0) {
        return fail(new NonPublicAddressError(`${hostname} resolves to ${blocked?.address ?? 'nothing'}, not a public address`));
      }
      const [first] = addresses;
      if (options.all) callback(null, addresses);
      else if (first !== undefined) callback(null, first.address, first.family);
    });
  };
}
