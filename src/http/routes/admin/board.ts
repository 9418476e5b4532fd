import { createRoute, z } from '@hono/zod-openapi';
import { boardFileName, readBoard } from '../../../board/board.ts';
import { boardCsv } from '../../../domain/board.ts';
import type { HubApp } from '../../app-type.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { MALL_ID_EXAMPLE, queryParam, staffSecurity } from '../../schemas.ts';
import { Board, BOARD_EXAMPLE, BOARD_PERIOD_RULES, boardCsvResponse, BoardQuery } from '../mall/board-schemas.ts';

/*
 * GET /admin/board and GET /admin/board.csv: the data board for the hub's staff, of one mall or
 * across every mall (issue 20). Agents and admins. The same board and CSV as GET /v1/board.
 */

const staff = { security: staffSecurity, middleware: [requireRole('agent', 'admin')], tags: ['Admin: board'] };

const Query = BoardQuery.extend({
  mallId: queryParam('mallId', z.string().min(1).max(64).optional(), 'Only this mall (404 when there is none); every mall when left out', MALL_ID_EXAMPLE),
});

const unknownMall = documentedError(404, { description: 'No mall of that id (`not_found`)', examples: { unknown: { summary: 'Unknown mall', value: { error: { code: 'not_found', message: 'mall not found' } } } } });

const json = createRoute({
  method: 'get',
  path: '/admin/board',
  operationId: 'getAdminBoard',
  ...staff,
  summary: 'The data board of one mall or of every mall (agents and admins)',
  description: `What GET /v1/board answers a mall, for any mall (\`mallId\`) or across all of them (\`mallId\` left out: \`mallId\` null in the answer; points are valued at each mall’s own rate). ${BOARD_PERIOD_RULES}`,
  request: { query: Query },
  responses: { 200: jsonResponse('The board', Board, { ...BOARD_EXAMPLE, mallId: null }), 404: unknownMall, ...errorResponses(400, 403) },
});

const csv = createRoute({
  method: 'get',
  path: '/admin/board.csv',
  operationId: 'getAdminBoardCsv',
  ...staff,
  summary: 'The data board of one mall or of every mall as CSV (agents and admins)',
  description: `The same board as GET /admin/board, as one long table with a value per row (see GET /v1/board.csv). ${BOARD_PERIOD_RULES}`,
  request: { query: Query },
  responses: { 200: boardCsvResponse('The board as CSV'), 404: unknownMall, ...errorResponses(400, 403) },
});

/** GET /admin/board, GET /admin/board.csv */
export function registerAdminBoardRoutes(app: HubApp): void {
  app.openapi(json, async (c) => {
    const { mallId, ...q } = c.req.valid('query');
    return c.json(await readBoard(c.get('em'), c.get('deps').clock, mallId ?? null, q), 200);
  });
  app.openapi(csv, async (c) => {
    const { mallId, ...q } = c.req.valid('query');
    const board = await readBoard(c.get('em'), c.get('deps').clock, mallId ?? null, q);
    return c.text(`\uFEFF${boardCsv(board)}`, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${boardFileName(board)}"` });
  });
}
