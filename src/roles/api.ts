import type { Server } from 'node:http';
import { type ServerType, serve } from '@hono/node-server';
import { createApp } from '../app.ts';
import type { HubDeps } from '../deps.ts';
import { answerClientErrors } from '../http/client-error.ts';
import type { Stoppable } from './stoppable.ts';

/** Starts the HTTP API. Stateless: run as many as needed behind a load balancer. */
export async function startApi(deps: HubDeps): Promise<Stoppable> {
  const app = createApp(deps);
  const server: ServerType = serve({ fetch: app.fetch, hostname: deps.config.host, port: deps.config.port });
  // Requests Node refuses before the app (URL or headers too large, malformed HTTP) get the contract's body too.
  answerClientErrors(server as Server, deps.logger);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  deps.logger.info({ url: deps.config.publicUrl }, 'api listening');
  // Its availability checks and balance reads count in /admin/suppliers of every process.
  deps.supplierHealth.start();
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
