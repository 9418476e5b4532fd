import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { scrub } from '../../src/observability/scrub.ts';
import { ADMIN_TOKEN, LogCapture, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

const PHONE = '13800138000';

describe('log redaction', () => {
  it('writes no phone number or API key while handling a request that carries both', async () => {
    const mall = await hub.createMall('Logged mall');
    const before = hub.logs.lines.length;
    // A phone in the path, the query and the body, and the key in the header; then an error path too.
    await hub.call('GET', `/v1/events/${PHONE}?phone=${PHONE}&q=+86 138-0013-8000`, { token: mall.apiKey, headers: { 'x-request-id': 'redaction-1' } });
    await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: `张三 ${PHONE}`, webhookUrl: `http://x/${PHONE}` }, headers: { 'x-request-id': 'redaction-2' } });
    const lines = hub.logs.lines.slice(before).join('\n');
    // Something was logged for these requests (so the assertions below are not vacuous).
    expect(lines).toContain('redaction-1');
    expect(lines).toContain('redaction-2');
    expect(lines).not.toContain(PHONE);
    expect(lines).not.toContain('138-0013-8000');
    expect(lines).not.toContain(mall.apiKey);
    expect(lines).not.toContain(mall.apiKey.slice('rh_live_'.length));
    expect(lines).not.toContain(ADMIN_TOKEN);
    expect(lines).toContain('[phone]');
  });

  it('masks sensitive keys and embedded secrets in any log call', () => {
    const out = new LogCapture();
    const log = createLogger({ destination: out });
    log.info({ recipient: { name: '李四', phone: PHONE, address: '北京市朝阳区建国路1号' }, headers: { authorization: 'Bearer abc' }, note: 'key rh_live_SECRET123 whsec_AAAA==' }, `calling ${PHONE}`);
    log.error({ err: new Error(`failed for ${PHONE} with rh_staff_tok`) }, 'boom');
    const text = out.text;
    for (const secret of [PHONE, '李四', '建国路', 'Bearer abc', 'SECRET123', 'whsec_AAAA', 'rh_staff_tok']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('keeps non-sensitive data intact', () => {
    expect(scrub({ orderId: 'o_1', status: 'shipped', qty: 3, at: '2026-11-23T02:00:00Z' })).toEqual({ orderId: 'o_1', status: 'shipped', qty: 3, at: '2026-11-23T02:00:00Z' });
  });
});
