/**
 * Which addresses Herald may fetch user-supplied URLs from (media, webhooks). Private,
 * loopback, link-local, CGNAT, multicast and cloud metadata addresses are refused unless
 * HERALD_ALLOW_PRIVATE_URLS=true, or exempted by HERALD_ALLOWED_PRIVATE_ADDRESSES (a list
 * of CIDRs, like Mastodon's ALLOWED_PRIVATE_ADDRESSES: media on private storage).
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  // No ::ffff:0:0/96 here: BlockList also matches plain IPv4 against it. Mapped addresses are
  // unwrapped and judged as IPv4 in isPrivateAddress.
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/**
 * Which private addresses Herald may connect to on a user's behalf: any (`true`, tests and
 * sandbox), none (`false`), or only those in the exempted ranges.
 */
export type PrivateAccess = boolean | BlockList;

/** `10.0.0.0/8`, `fd00::/8` or a single address; undefined when the entry is not one. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** The access a configuration grants (HERALD_ALLOW_PRIVATE_URLS, HERALD_ALLOWED_PRIVATE_ADDRESSES). */
export function privateAccess(c: { allowPrivateUrls: boolean; allowedPrivateAddresses: readonly string[] }): PrivateAccess {
  if (c.allowPrivateUrls) return true;
  if (c.allowedPrivateAddresses.length === 0) return false;
  const exempt = new BlockList();
  for (const entry of c.allowedPrivateAddresses) {
    const cidr = parseCidr(entry);
    if (cidr) exempt.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return exempt;
}

/** Is this IP literal one Herald must not connect to on a user's behalf (`exempt`: ranges allowed anyway)? */
export function isPrivateAddress(ip: string, exempt?: BlockList): boolean {
  const family = isIP(ip);
  if (family === 0) return true;
  if (exempt?.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return false;
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:a.b.c.d): judge the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return !exempt?.check(mapped[1]!, 'ipv4') && blocked.check(mapped[1]!, 'ipv4');
    // NAT64 (64:ff9b::/96) embeds an IPv4 address in the last 32 bits.
    const nat64 = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
    if (nat64) {
      const hi = parseInt(nat64[1]!, 16);
      const lo = parseInt(nat64[2]!, 16);
      return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return blocked.check(ip, 'ipv6');
  }
  return blocked.check(ip, 'ipv4');
}

/** Syntax-level check done at accept time (DNS is checked again at every fetch). */
export function checkUrlSyntax(raw: string, access: PrivateAccess): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol !== 'https:' && !(access === true && url.protocol === 'http:')) return 'must be an https URL';
  if (access === true) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isPrivateAddress(host, access || undefined)) return 'points to a private, loopback or link-local address';
  // With exempted ranges, private storage has names too: the address check at connect time decides.
  if (access === false && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local'))) {
    return 'points to a local host name';
  }
  return undefined;
}
