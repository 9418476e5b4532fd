import type { SupplierKind } from '../../../../connectors/connector.ts';
import { documentedError, type ErrorResponseConfig } from '../../errors.ts';

/** A JSON Schema object as the document holds it (a supplier's body is described, never validated by a schema). */
type JsonSchema = Record<string, unknown>;

/**
 * The request body of a supplier callback, for the document only: a plain schema (not zod), so
 * the route reads the raw bytes its signature covers and no validator parses them first.
 */
export function supplierBody(schema: JsonSchema, example: unknown) {
  return {
    required: true,
    description: "The supplier's own format, exactly as it sends it: the hub verifies the signature over the raw bytes before reading them.",
    content: { 'application/json': { schema, example } },
  };
}

/** 400 of a supplier callback: text PostgreSQL cannot store, or a signed body its connector cannot read. Nothing is stored. */
export const supplierBadRequest = (): ErrorResponseConfig =>
  documentedError(400, {
    description: "The body holds text that cannot be stored (a NUL or a lone surrogate: `validation_failed`, `details.fields`), or is signed but not in the supplier's format (`validation_failed`). Nothing was stored.",
    examples: {
      unstorable: {
        summary: 'A NUL in a string of the body',
        value: { error: { code: 'validation_failed', message: 'the request body holds characters that cannot be stored', details: { fields: [{ path: 'body.content', message: 'must not contain the NUL character (\\u0000)', code: 'invalid_characters' }] } } },
      },
    },
  });

/** 401 of a supplier callback: the signature was refused; nothing is stored. */
export const signatureRejected = (kind: SupplierKind, reason: 'missing' | 'malformed' | 'bad_signature' | 'stale'): ErrorResponseConfig =>
  documentedError(401, {
    description: 'The signature is missing, malformed, wrong or too old (`unauthorized`, `details.reason`). Nothing was stored.',
    examples: { [reason]: { summary: `Signature ${reason}`, value: { error: { code: 'unauthorized', message: `${kind} webhook signature rejected`, details: { reason } } } } },
  });

/** 404 of a supplier callback addressed to a supplier account the hub does not have. */
export const unknownSupplier = (kind: SupplierKind, id: string): ErrorResponseConfig =>
  documentedError(404, {
    description: 'No supplier account of this kind with this id takes callbacks (`not_found`)',
    examples: { unknown: { summary: 'Unknown account', value: { error: { code: 'not_found', message: `no ${kind} supplier ${id}` } } } },
  });
