#!/usr/bin/env node
import { main } from './main.ts';

main(process.argv[2] ?? 'start').catch((err: unknown) => {
  process.stderr.write(`hub: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
