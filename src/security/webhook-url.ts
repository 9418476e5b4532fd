import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Why a webhook URL was refused, or null when it may be used. */
export type UrlVerdict = { ok: true } | { ok: false; reason: string };

// Ranges a mall's webhook must never reach: the hub's own network, cloud metadata, multicast…
const FORBIDDEN_RANGES = new Set([
  'unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'private', 'reserved',
  'carrierGradeNat', 'uniqueLocal', 'ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo', 'benchmarking', 'amt', 'as112', 'deprecated', 'orchid2',
]);
const FORBIDDEN_HOSTS = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata|instance-data)\.?$/i;

/** True when an IP address is public (not loopback, private, link-local, metadata or reserved). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return !FORBIDDEN_RANGES.has(ip.range());
}

/**
 * Checks a mall webhook URL: http(s) only, no credentials, and (outside sandbox mode) a host that
 * resolves only to public addresses. Run when the URL is set and again before each delivery.
 */
export async function checkWebhookUrl(
  raw: string,
  opts: { allowPrivate: boolean; resolve?: (host: string) => Promise<string[]> },
): Promise<UrlVerdict> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must be http or https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  if (opts.allowPrivate) return { ok: true };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (FORBIDDEN_HOSTS.test(host)) return { ok: false, reason: 'must not point at a local or metadata host' };
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = await (opts.resolve ?? resolveAll)(host);
    } catch {
      return { ok: false, reason: `host ${host} does not resolve` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` };
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad ? { ok: false, reason: 'must not point at a loopback, private, link-local or metadata address' } : { ok: true };
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((r) => r.address);
}
