import type { EntityManager } from '@mikro-orm/postgresql';
import { OPEN_TICKET_STATUSES } from '../domain/aftersales.ts';

/** Reads of aftersale_ticket by supplier, for the staff's view of suppliers (/admin/suppliers). */

const OPEN = `{${OPEN_TICKET_STATUSES.join(',')}}`;

/**
 * Tickets not yet final (open, in progress) per supplier: the supplier the ticket was taken to
 * (`supplier_id`), else the one that fulfilled its line (`order_line.source_supplier_id`). Tickets
 * on a line no supplier fulfilled count for nobody.
 */
export async function openTicketsBySupplier(em: EntityManager): Promise<Map<string, number>> {
  const rows = await em.getConnection().execute<{ supplier_id: string; open: number }[]>(
    `select coalesce(t.supplier_id, l.source_supplier_id) as supplier_id, count(*)::int as open
     from aftersale_ticket t join order_line l on l.id = t.line_id
     where t.status = any(?::text[]) and coalesce(t.supplier_id, l.source_supplier_id) is not null
     group by 1`,
    [OPEN],
    'all',
    em.getTransactionContext(),
  );
  return new Map(rows.map((r) => [r.supplier_id, r.open]));
}
