import { createRoute } from '@hono/zod-openapi';
import { boardFileName, readBoard } from '../../../board/board.ts';
import { boardCsv } from '../../../domain/board.ts';
import type { HubApp } from '../../app-type.ts';
import { callerMallId } from '../../caller.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { mallSecurity } from '../../schemas.ts';
import { Board, BOARD_EXAMPLE, BOARD_PERIOD_RULES, boardCsvResponse, BoardQuery } from './board-schemas.ts';

/*
 * GET /v1/board and GET /v1/board.csv: the calling mall's data board (数据看板, issue 20), its own
 * orders only. Read from the board tables a worker keeps (src/board/), so a month answers in
 * milliseconds whatever the mall's size; `asOf` says how fresh they are.
 */

const WHAT =
  'Orders and lines per day or week, the redemption success rate, time to ship and to issue (p50, p90), failure and refund reasons, points redeemed and refunded per bucket (积分消耗趋势), the top items, the physical / virtual / service shares, after-sales rates by ticket type and by supplier, and the cost ratio with the items above the 70 % rule.';

const json = createRoute({
  method: 'get',
  path: '/v1/board',
  operationId: 'getBoard',
  tags: ['Board'],
  summary: 'The mall’s data board over a period (数据看板)',
  description: `${WHAT} Counted over the orders the mall placed in the period (refunds: those made in the period). ${BOARD_PERIOD_RULES} The board is kept up to date by the hub within about a minute (\`asOf\`).`,
  security: mallSecurity,
  request: { query: BoardQuery },
  responses: { 200: jsonResponse('The board', Board, BOARD_EXAMPLE), ...errorResponses(400) },
});

const csv = createRoute({
  method: 'get',
  path: '/v1/board.csv',
  operationId: 'getBoardCsv',
  tags: ['Board'],
  summary: 'The mall’s data board as CSV, for a spreadsheet',
  description: `The same board as GET /v1/board, as one long table with a value per row. ${BOARD_PERIOD_RULES}`,
  security: mallSecurity,
  request: { query: BoardQuery },
  responses: { 200: boardCsvResponse('The board as CSV'), ...errorResponses(400) },
});

/** GET /v1/board, GET /v1/board.csv */
export function registerBoardRoutes(app: HubApp): void {
  app.openapi(json, async (c) => c.json(await readBoard(c.get('em'), c.get('deps').clock, callerMallId(c), c.req.valid('query')), 200));
  app.openapi(csv, async (c) => {
    const board = await readBoard(c.get('em'), c.get('deps').clock, callerMallId(c), c.req.valid('query'));
    return c.text(`\uFEFF${boardCsv(board)}`, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${boardFileName(board)}"` });
  });
}
