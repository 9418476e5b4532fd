// Search probe, step 4: the five queries in turn (each connection starting at a different one) at 10
// and 50 connections, 2 s warm-up + 10 s measured, per candidate through server.ts, and Groonga's
// own HTTP server directly (as the peer). Run: node bench/search-probe/load.ts [candidates...]
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { drive } from '../catalog-load.ts';
import { groongaUrl, QUERIES } from './probe.ts';

const names = process.argv.length > 2 ? process.argv.slice(2) : ['baseline', 'rum', 'postings', 'groonga', 'groonga-direct'];
const server = spawn(process.execPath, [new URL('./server.ts', import.meta.url).pathname, '18080'], { stdio: 'inherit' });
await sleep(1500);
console.log('| candidate | conns | req/s | p50 ms | p99 ms | non-2xx/errors |\n|---|---|---|---|---|---|');
try {
  for (const name of names) {
    // groonga-direct: Groonga's own HTTP server (Connection: close on every answer); groonga: through server.ts.
    const direct = name === 'groonga-direct';
    const target = { url: direct ? 'http://127.0.0.1:10041' : 'http://127.0.0.1:18080', headers: {} };
    const paths = QUERIES.map((q, i) => (direct ? groongaUrl(q).replace('http://127.0.0.1:10041', '') : `/${name}/${i}`));
    for (const conns of [10, 50]) {
      const f = await drive(target as never, paths, conns, 10, 2);
      console.log(`| ${name} | ${conns} | ${f.reqPerSec} | ${f.p50Ms} | ${f.p99Ms} | ${f.non2xx}/${f.errors + f.timeouts} |`);
    }
  }
} finally {
  server.kill();
}
