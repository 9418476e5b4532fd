// Search probe: a minimal HTTP server answering GET /<candidate>/<query index> with the page's rows as
// JSON, from a pg pool of 10 connections; what load.ts drives. Run: node bench/search-probe/server.ts [port=18080]
import { createServer } from 'node:http';
import pg from 'pg';
import { CANDIDATES, groongaUrl, QUERIES } from './probe.ts';

const pool = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'search_probe', max: 10 });
const port = Number(process.argv[2] ?? 18080);
createServer(async (req, res) => {
  const [, cand, i] = (req.url ?? '').split('/');
  const run = CANDIDATES[cand ?? ''];
  const q = QUERIES[Number(i)];
  // Groonga behind the same server: its own HTTP server answers `Connection: close`, which autocannon
  // drives badly (p50 0.8 s on /d/status at 10 connections), so the peer is measured through this hop too.
  if (cand === 'groonga' && q) {
    const body = await (await fetch(groongaUrl(q))).text();
    return res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }
  if (!run || !q) return res.writeHead(404).end();
  const c = await pool.connect();
  try {
    const rows = await run(c, q);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows));
  } catch (e) {
    res.writeHead(500).end(String(e));
  } finally {
    c.release();
  }
}).listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
