import type { Context } from 'hono';
import { JD_RESULT, responseKey } from '../../jd/methods.ts';

/** A successful call: `{<method>_response: {code: "0", result: {success, resultCode, resultMessage, result}}}`. */
export const ok = (c: Context, method: string, result: unknown) =>
  c.json({ [responseKey(method)]: { code: '0', result: { success: true, resultCode: JD_RESULT.OK, resultMessage: '', result } } });

/** A business failure in the same envelope. */
export const fail = (c: Context, method: string, resultCode: string, resultMessage: string, result: unknown = null) =>
  c.json({ [responseKey(method)]: { code: '0', result: { success: false, resultCode, resultMessage, result } } });

/** A platform failure (sign, token, rate limit, system busy). */
export const platformError = (c: Context, code: string, zh: string, en: string, status: 200 | 503 = 200) =>
  c.json({ error_response: { code, zh_desc: zh, en_desc: en } }, status);
