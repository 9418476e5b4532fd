import { z } from '@hono/zod-openapi';
import type { StaffRecipient } from '../../../domain/recipient.ts';

/**
 * Schemas shared by the staff's order and after-sales routes (orders.ts, tickets.ts): one
 * component for what both show of an order's recipient, since both mask it by the same rule
 * (src/domain/recipient.ts).
 */

export const StaffRecipientSchema = z
  .object({
    name: z.string().openapi({ example: '张*' }),
    phone: z.string().openapi({ example: '138****5678' }),
    province: z.string().openapi({ example: '北京' }),
    city: z.string().openapi({ example: '北京市' }),
    district: z.string().openapi({ example: '朝阳区' }),
    address: z.string().openapi({ example: '****' }),
    masked: z.boolean().openapi({ description: 'true: name, phone and street address masked (an agent, or any list); false: an admin reading one order or ticket in full, a read written to the audit log' }),
  })
  .openapi('StaffRecipient');

/** A recipient as an agent (or a list) shows it. */
export const MASKED_RECIPIENT_EXAMPLE: StaffRecipient = { name: '张*', phone: '138****5678', province: '北京', city: '北京市', district: '朝阳区', address: '****', masked: true };
