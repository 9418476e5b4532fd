import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Sealed } from '../security/crypto-box.ts';

// The vouchers an issued line carries (line_voucher): the code sealed, shown masked in order views
// (orderView, order-store.ts), revealed in full only through the audited vouchers route.

/** A voucher of a line as issued by its supplier's attempt. */
export interface NewVoucher {
  lineId: string;
  attemptId: string | undefined;
  /** The voucher (code and password) sealed: only the reveal opens it. */
  code: Sealed;
  /** What order views show of the code. */
  masked: string;
  expiresAt: string | null;
}

/** Stores one voucher of a line, in the caller's transaction (the one that records the line issued). */
export async function addVoucher(tx: EntityManager, clock: Clock, v: NewVoucher): Promise<void> {
  await tx.getConnection().execute(
    'insert into line_voucher (id, line_id, attempt_id, code, masked, expires_at, created_at) values (?, ?, ?, ?, ?, ?, ?)',
    [newId('vch'), v.lineId, v.attemptId, JSON.stringify(v.code), v.masked, v.expiresAt, clock.now()],
    'run',
    tx.getTransactionContext(),
  );
}

/** A line's vouchers with their codes still sealed, in the order they were issued. */
export async function sealedVouchers(em: EntityManager, lineId: string): Promise<{ id: string; code: Sealed; expires_at: Date | null }[]> {
  return em.getConnection().execute<{ id: string; code: Sealed; expires_at: Date | null }[]>(
    'select id, code, expires_at from line_voucher where line_id = ? order by created_at, id',
    [lineId],
  );
}
