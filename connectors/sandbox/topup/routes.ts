import { Hono } from 'hono';
import { isJsonObject, toSignableParams } from '../../shared/sorted-params.ts';
import { parseUtc8Timestamp } from '../../shared/timestamp.ts';
import { verifyTopupSign } from '../../topup/sign.ts';
import { ApiRequest, TOPUP_CODES } from '../../topup/wire.ts';
import { hang, sleep } from '../common/faults.ts';
import { type Answer, answer, type MethodDeps, runMethod, WRITE_METHODS } from './methods.ts';

/** The account the platform knows, and a counter of API calls. */
export interface ApiOptions extends MethodDeps {
  appKey: string;
  appSecret: string;
  onRequest: () => void;
}

/**
 * `POST /api`, the platform's single endpoint, with the faults applied in the order a real
 * gateway meets them: latency, rate limit, hang, "system busy", then parameters, app key and
 * signature, then the method. A write whose answer is to be lost runs first and then never answers.
 */
export function apiRoutes(opts: ApiOptions): Hono {
  const { faults } = opts;
  const app = new Hono();
  app.post('/api', async (c) => {
    opts.onRequest();
    const f = faults.config;
    if (f.latencyMs) await sleep(f.latencyMs);
    if (faults.rateLimited(Date.now())) return c.json(answer(TOPUP_CODES.rateLimited, { retry_after: 1 }));
    if (faults.shouldHang()) return hang();
    if (faults.shouldError()) return c.json(answer(TOPUP_CODES.systemBusy));
    const result = handle(await c.req.json().catch(() => undefined), opts);
    if (result.write && faults.shouldLoseAnswer()) return hang();
    return c.json(result.answer);
  });
  return app;
}

function handle(body: unknown, opts: ApiOptions): { answer: Answer; write: boolean } {
  const reject = (code: string, message?: string) => ({ answer: answer(code, null, message), write: false });
  const params = isJsonObject(body) ? toSignableParams(body) : undefined;
  const request = ApiRequest.safeParse(body);
  if (!params || !request.success) return reject(TOPUP_CODES.badRequest, '公共参数缺失或格式错误');
  if (request.data.app_key !== opts.appKey) return reject(TOPUP_CODES.unknownApp);
  // Every parameter sent (not only the known ones) is signed, so extra fields cannot be slipped in.
  if (!verifyTopupSign(params, opts.appSecret)) return reject(TOPUP_CODES.badSign);
  if (!parseUtc8Timestamp(request.data.timestamp)) return reject(TOPUP_CODES.badRequest, 'timestamp 格式应为 yyyy-MM-dd HH:mm:ss');
  let biz: unknown;
  try {
    biz = JSON.parse(request.data.biz_content || '{}');
  } catch {
    return reject(TOPUP_CODES.badRequest, 'biz_content 不是 JSON');
  }
  const { method } = request.data;
  return { answer: runMethod(method, biz, opts), write: WRITE_METHODS.has(method) };
}
