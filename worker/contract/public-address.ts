/**
 * Which addresses a webhook may reach when the operator named no hosts: only public ones. A
 * client who could aim the worker's POST at loopback, a private network, link-local (cloud
 * metadata at 169.254.169.254) or the like would use the worker to reach what it cannot (SSRF).
 * Shared by the API (IP literals, refused at submission) and the worker (every address a host
 * name resolves to, checked at connect time, so a DNS answer cannot swap in a private address
 * after the check).
 */
import { BlockList, isIP } from 'node:net';

/** Special-purpose ranges (IANA registries); IPv4-mapped IPv6 addresses match the IPv4 rules. */
const NON_PUBLIC = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');

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
