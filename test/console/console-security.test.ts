import type { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { act, launchBrowser, openTab, screenshot, signIn, type Tab } from './browser.ts';

/**
 * The console's security and plumbing, in Debian's chromium against a hub served on loopback:
 * the Content-Security-Policy (no inline script or style anywhere: chromium reports none on any
 * page), the session cookie's attributes, CSRF (token and origin), sign-out ending the session for
 * good, the language toggle and the keyboard, the admin-only pages and the queue dashboard, and
 * that no staff token or session secret reaches a log line.
 */

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let agent: { token: string; tokenId: string };
let admin: { token: string; tokenId: string };

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));

/** Signs in over plain HTTP and returns the session cookie (`rh_console=…`). */
async function signInRaw(token: string, headers: Record<string, string> = {}): Promise<{ res: Response; cookie: string }> {
  const res = await fetch(`${server.url}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { origin: server.url, ...headers }, body: form({ token }) });
  return { res, cookie: (cookieOf(res, 'rh_console') ?? '').split(';')[0] as string };
}

beforeAll(async () => {
  hub = await startTestHub();
  server = await serveOnLoopback(hub.app as unknown as Hono);
  const make = async (role: string, name: string) => {
    const b = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role, name } }));
    return { token: b.token as string, tokenId: b.tokenId as string };
  };
  agent = await make('agent', '客服：王芳');
  admin = await make('admin', '运营：李强');
  await hub.createMall('安全测试商城');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await hub?.close();
});

describe('headers and cookies', () => {
  it('sends a Content-Security-Policy without unsafe-inline (and the other hardening headers) on every console response', async () => {
    const { cookie } = await signInRaw(agent.token);
    for (const path of ['/console/sign-in', '/console/tickets', '/console/orders', '/console/assets/console.css', '/console/no-such-page']) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("img-src 'self' data:");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("form-action 'self'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    const page = await fetch(`${server.url}/console/tickets`, { headers: { cookie } });
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    // No inline script or style in the markup itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('keeps the session (not the token) in an HttpOnly, SameSite=Strict cookie on /console with a Max-Age; Secure behind TLS', async () => {
    const { res, cookie } = await signInRaw(agent.token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/tickets');
    const set = cookieOf(res, 'rh_console') as string;
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    expect(set).toMatch(/; Path=\/console(;|$)/);
    expect(set).toMatch(/; Max-Age=28800/);
    expect(set).not.toMatch(/; Secure/);
    expect(cookie).toMatch(/^rh_console=rh_sess_/);
    expect(set).not.toContain(agent.token);
    // An agent gets no queue-dashboard cookie.
    expect(cookieOf(res, 'rh_queues')).toBeUndefined();
    // Behind a TLS proxy (the browser's origin is https): Secure, and an admin gets the queue dashboard's cookie too.
    const tls = await signInRaw(admin.token, { 'x-forwarded-proto': 'https', origin: server.url.replace('http:', 'https:') });
    expect(cookieOf(tls.res, 'rh_console')).toMatch(/; Secure/);
    const queues = cookieOf(tls.res, 'rh_queues') as string;
    for (const attr of ['; Path=/admin/queues', '; HttpOnly', '; Secure', '; SameSite=Strict', '; Max-Age=28800']) expect(queues).toContain(attr);
  });

  it('refuses a wrong token on the sign-in page and a sign-in posted from another origin', async () => {
    const wrong = await fetch(`${server.url}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { origin: server.url }, body: form({ token: 'rh_staff_nope' }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('令牌无效');
    const elsewhere = await fetch(`${server.url}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' }, body: form({ token: agent.token }) });
    expect(elsewhere.status).toBe(403);
    expect(cookieOf(elsewhere, 'rh_console')).toBeUndefined();
  });
});

describe('CSRF', () => {
  it('answers 403 to a POST without the session’s token, with a wrong one, or from another origin; the session stays', async () => {
    const { cookie } = await signInRaw(agent.token);
    const page = await (await fetch(`${server.url}/console/tickets`, { headers: { cookie } })).text();
    const token = page.match(/name="_csrf" value="([^"]+)"/)?.[1] as string;
    expect(token).toBeTruthy();
    expect(page).toContain(`hx-headers="{&quot;X-CSRF-Token&quot;:&quot;${token}&quot;}"`);
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/console/tickets/ast_x/comment`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: server.url, ...headers }, body: form(body) });
    expect((await post({ text: 'hi' })).status).toBe(403);
    expect((await post({ text: 'hi', _csrf: 'forged' })).status).toBe(403);
    expect((await post({ text: 'hi', _csrf: token }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ text: 'hi' }, { 'x-csrf-token': 'forged' })).status).toBe(403);
    // Sign-out is a state change too.
    const out = await fetch(`${server.url}/console/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: server.url }, body: form({}) });
    expect(out.status).toBe(403);
    expect((await fetch(`${server.url}/console/tickets`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    // With the token (form field or htmx header) and from the hub's origin, the request goes through (to the API's own 404).
    const ok = await post({ text: 'hi', _csrf: token });
    expect(ok.status).toBe(303);
    const viaHeader = await post({ text: 'hi' }, { 'x-csrf-token': token });
    expect(viaHeader.status).toBe(303);
  });
});

describe('in the browser', () => {
  let tab: Tab;
  beforeAll(async () => {
    tab = await openTab(browser, server.url);
  });
  afterAll(() => tab?.context.close());

  it('signs in with the keyboard, shows every page without a CSP violation, and switches to English and back', async () => {
    const { page } = tab;
    await page.goto('/console/tickets');
    await page.waitForURL(/\/console\/sign-in/);
    await screenshot(page, 'sign-in');
    // The token field has focus; type, Enter.
    await page.keyboard.type(agent.token);
    await Promise.all([page.waitForURL(/\/console\/tickets/), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toBe('售后工单队列');
    // The skip link is the first stop of Tab and takes the focus to <main>.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.className')).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    for (const [path, title] of [['/console/orders', '订单查询'], ['/console/suppliers', '供应商健康'], ['/console/dead-letters', '死信（已放弃的流程）'], ['/console/webhooks', '商城回调投递'], ['/console/board', '数据看板']]) {
      await page.goto(path as string);
      expect(await page.locator('h1').textContent(), path).toBe(title);
    }
    // An agent sees no admin pages in the navigation, and is told so at their URL.
    expect(await page.locator('nav a[href="/console/malls"]').count()).toBe(0);
    await page.goto('/console/malls');
    expect(await page.locator('main').textContent()).toContain('仅管理员可用');
    // English is one click away, and Chinese one click back; the page stays where it was.
    await page.goto('/console/tickets?status=open');
    await Promise.all([page.waitForURL(/status=open/), page.getByRole('link', { name: '切换为英文界面' }).click()]);
    await page.locator('h1', { hasText: 'Ticket queue' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('nav').textContent()).toContain('Tickets');
    await page.getByRole('link', { name: 'Switch to Chinese' }).click();
    await page.locator('h1', { hasText: '售后工单队列' }).waitFor();
    expect(tab.problems).toEqual([]);
  });

  it('signs out: the session ends at the API, the cookie is cleared, and the old cookie is refused', async () => {
    const { page, context } = tab;
    await page.goto('/console/tickets');
    const old = (await context.cookies()).find((c) => c.name === 'rh_console');
    expect(old).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    await Promise.all([page.waitForURL(/\/console\/sign-in/), page.getByRole('button', { name: '退出登录' }).click()]);
    expect(await page.locator('[data-notice]').textContent()).toContain('已退出登录');
    expect((await context.cookies()).find((c) => c.name === 'rh_console')).toBeUndefined();
    // The old cookie, sent again by hand: redirected to sign-in, and refused by the API itself.
    const again = await fetch(`${server.url}/console/tickets`, { headers: { cookie: `rh_console=${old?.value}` }, redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/console/sign-in');
    expect((await hub.call('GET', '/admin/tickets', { token: old?.value })).status).toBe(401);
    expect(tab.problems).toEqual([]);
  });

  it('an admin manages malls: creates one (the key and secret shown once, never in a URL), changes its pricing and selection', async () => {
    const t2 = await openTab(browser, server.url);
    try {
      await signIn(t2, admin.token);
      const { page } = t2;
      await page.goto('/console/malls');
      await page.locator('input[name="name"]').fill('新商城 <b>测试</b>');
      await page.locator('input[name="webhookUrl"]').fill('http://127.0.0.1:9/hook');
      await page.getByRole('button', { name: '新建商城' }).last().click();
      const key = page.locator('[data-secret="API 密钥"]');
      await key.waitFor();
      expect(await key.textContent()).toMatch(/^rh_live_/);
      expect(await page.locator('[data-secret="回调签名密钥"]').textContent()).toMatch(/^whsec_/);
      expect(page.url()).not.toContain('rh_live_');
      await screenshot(page, 'mall-created');
      const mallId = new URL((await page.locator('main a[href^="/console/malls/"]').getAttribute('href')) as string, server.url).pathname.split('/').pop() as string;
      await page.goto(`/console/malls/${mallId}`);
      expect(await page.locator('input[name="name"]').inputValue()).toBe('新商城 <b>测试</b>');
      await page.locator('input[name="markupBp"]').fill('1200');
      await page.locator('input[name="categories"]').fill('phones, large-appliance');
      await page.getByLabel('实物').check();
      const saved = await act(page, () => page.getByRole('button', { name: '保存设置' }).click());
      expect(saved).toEqual({ kind: 'ok', text: '设置已保存。' });
      await screenshot(page, 'mall');
      const m = await json(await hub.call('GET', `/admin/malls/${mallId}`, { token: ADMIN_TOKEN }));
      expect(m.pricing).toMatchObject({ markupBp: 1200 });
      expect(m.catalogSelection).toMatchObject({ kinds: ['physical'], categories: ['phones', 'large-appliance'] });
      await page.goto('/console/audit');
      expect(await page.locator('#audit').textContent()).toContain('mall.update');
      await screenshot(page, 'audit');
      expect(t2.problems).toEqual([]);
    } finally {
      await t2.context.close();
    }
  });
});

describe('the queue dashboard (/admin/queues)', () => {
  it('is for admins: a bearer of role admin or an admin’s console session; agents 403, nobody 401', async () => {
    const api = (headers: Record<string, string>) => fetch(`${server.url}/admin/queues/api/queues`, { headers, redirect: 'manual' });
    const asAdmin = await api({ authorization: `Bearer ${admin.token}` });
    expect(asAdmin.status).toBe(200);
    expect(((await asAdmin.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(expect.arrayContaining(['{workflow}', '{webhook-delivery}', '{inbound-event}']));
    expect((await api({ authorization: `Bearer ${agent.token}` })).status).toBe(403);
    expect((await api({})).status).toBe(401);
    const agentSession = await signInRaw(agent.token);
    expect((await api({ cookie: agentSession.cookie.replace('rh_console', 'rh_queues') })).status).toBe(403);
    // An admin's browser: the console's sign-in set the dashboard's cookie too.
    const t2 = await openTab(browser, server.url);
    try {
      await signIn(t2, admin.token);
      const res = await t2.page.goto('/admin/queues');
      expect(res?.status()).toBe(200);
      await t2.page.locator('text={workflow}').first().waitFor();
      await screenshot(t2.page, 'queues');
      // A change with the cookie from another origin is refused.
      const queuesCookie = (await t2.context.cookies(`${server.url}/admin/queues`)).find((c) => c.name === 'rh_queues');
      const foreign = await fetch(`${server.url}/admin/queues/api/queues/%7Bworkflow%7D/pause`, { method: 'PUT', headers: { cookie: `rh_queues=${queuesCookie?.value}`, origin: 'https://evil.example' } });
      expect(foreign.status).toBe(403);
    } finally {
      await t2.context.close();
    }
  });
});

describe('logs', () => {
  it('never carry a staff token or a session secret', async () => {
    const text = hub.logs.text;
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [agent.token, admin.token]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/rh_sess_[A-Za-z0-9_-]{8,}/);
    expect(text).not.toMatch(/rh_staff_[A-Za-z0-9_-]{8,}/);
  });
});
