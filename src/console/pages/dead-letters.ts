import type { DeadLetter, Page, StaffSession } from '../api-types.ts';
import { csrfInput, field, input, pager, postButton, table } from '../components.ts';
import { dateTime } from '../format.ts';
import { h, type JSXNode } from '../html.ts';
import type { Translate } from '../i18n/index.ts';

/** Runs given up, newest first: replay one where it died, or (a forward run) abort it with its undo. */
export function deadLettersPage(t: Translate, list: Page<DeadLetter>, me: StaffSession, csrf: string, mallId: string | undefined): JSXNode {
  const rows = list.items.map((d) => [
    h('span', { class: 'mono' }, d.runId),
    d.workflow,
    d.orderId ? h('a', { href: `/console/orders/${encodeURIComponent(d.orderId)}` }, d.orderId) : t('common.none'),
    d.lineId,
    d.step,
    t(`phase.${d.phase}`),
    String(d.attempts),
    d.lastError ?? t('common.none'),
    dateTime(d.diedAt),
    me.role === 'admin'
      ? h(
          'div',
          { class: 'row' },
          postButton(`/console/dead-letters/${encodeURIComponent(d.runId)}/replay`, t('deadLetters.replay'), csrf),
          d.phase === 'forward'
            ? h('form', { method: 'post', action: `/console/dead-letters/${encodeURIComponent(d.runId)}/abort`, class: 'inline-form' }, csrfInput(csrf), field(t('order.reason'), input({ type: 'text', name: 'reason', required: true, maxlength: 200, size: 12 })), h('button', { type: 'submit', class: 'button danger' }, t('deadLetters.abort')))
            : null,
        )
      : t('common.none'),
  ]);
  return h(
    'div',
    null,
    table([t('col.run'), 'workflow', t('col.order'), t('col.line'), t('col.step'), t('col.phase'), t('col.attempts'), t('col.lastError'), t('col.diedAt'), t('col.actions')], rows, { empty: t('deadLetters.empty'), id: 'dead-letters' }),
    pager('/console/dead-letters', { mallId }, list.nextCursor, t),
  );
}
