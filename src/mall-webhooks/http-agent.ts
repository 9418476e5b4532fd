import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { isPublicAddress } from '../security/webhook-url.ts';

type Resolver = (host: string, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const resolveAll: Resolver = (host, cb) => dnsLookup(host, { all: true, verbatim: true }, cb);

/**
 * The DNS lookup of webhook connections. Outside sandbox mode a host that resolves to any
 * loopback, private, link-local or metadata address is refused when the connection is made, not
 * only when the URL was checked: a mall's name cannot be re-pointed at the hub's own network in
 * between (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = resolveAll): LookupFunction {
  return (host, options, callback) => {
    resolve(host, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const family = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      if (usable.length === 0) return callback(Object.assign(new Error(`host ${host} does not resolve`), { code: 'ENOTFOUND' }), '', 0);
      if (!allowPrivate && usable.some((a) => !isPublicAddress(a.address))) {
        return callback(Object.assign(new Error(`host ${host} resolves to a non-public address`), { code: 'EADDRREFUSED' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const first = usable[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The connection pool webhook deliveries go out on: kept-alive sockets per mall endpoint (a batch
 * is one mall's), at most `connectionsPerOrigin` of them, and the guarded lookup above. One per
 * process; requests go through undici's own API rather than fetch, which builds a WHATWG
 * Request, Headers, Response and web stream for every delivery (16 % of the worker's CPU,
 * profiled while delivering 600 events a second).
 */
export function webhookAgent(opts: { allowPrivate: boolean; connectionsPerOrigin: number; connectTimeoutMs: number }): Agent {
  return new Agent({
    connections: opts.connectionsPerOrigin,
    keepAliveTimeout: 4_000,
    connect: { lookup: guardedLookup(opts.allowPrivate), timeout: opts.connectTimeoutMs },
  });
}
