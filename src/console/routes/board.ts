import type { Board, Mall, Page } from '../api-types.ts';
import type { ConsoleApp } from '../env.ts';
import { page } from '../layout.ts';
import { boardPage, type BoardFilters } from '../pages/board.ts';
import { refusalPage, refusalText } from '../responses.ts';

/*
 * The data board (GET /admin/board?mallId=&from=&to=&bucket=): what it answers, charted and
 * tabled. Built beside the board's API: while that route is missing (404) the page says so
 * instead of failing; a refused filter (400) is shown above the form.
 */
export function registerBoardRoutes(app: ConsoleApp): void {
  app.get('/board', async (c) => {
    const { api } = c.get('signed');
    const t = c.get('t');
    const raw = c.req.query();
    const q: BoardFilters = { mallId: raw.mallId || undefined, from: raw.from || undefined, to: raw.to || undefined, bucket: raw.bucket || undefined };
    const [malls, board] = await Promise.all([api.get<Page<Mall>>('/admin/malls', { limit: 200 }), api.get<Board>('/admin/board', { ...q })]);
    const mallList = malls.ok ? malls.data.items : [];
    if (board.ok) return page(c, { title: t('board.title'), active: 'board', body: boardPage(t, q, mallList, board.data, null) });
    if (board.status === 404 && board.error.code === 'not_found' && /no route/.test(board.error.message)) return page(c, { title: t('board.title'), active: 'board', body: boardPage(t, q, mallList, null, null) });
    if (board.status === 400) return page(c, { title: t('board.title'), active: 'board', status: 422, body: boardPage(t, q, mallList, null, refusalText(t, board)) });
    return refusalPage(c, t('board.title'), board);
  });
}
