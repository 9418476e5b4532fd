import { describe, expect, it } from 'vitest';
import { safeHref } from '../../src/console/format.ts';
import { h, renderDocument } from '../../src/console/html.ts';
import { en } from '../../src/console/i18n/en.ts';
import { translator } from '../../src/console/i18n/index.ts';
import { zh } from '../../src/console/i18n/zh.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/console/security-headers.ts';

/** The console's rendering rules, without a browser: escaping, no raw HTML or inline style, only web links, both dictionaries whole. */
describe('console rendering', () => {
  it('escapes text and attributes from suppliers, malls and members', () => {
    const html = renderDocument(h('p', { title: '"><script>alert(1)</script>' }, '<img src=x onerror=alert(1)>'));
    expect(html).toBe('<!DOCTYPE html><p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it('refuses raw HTML and inline styles', () => {
    expect(() => h('div', { dangerouslySetInnerHTML: 'x' } as never)).toThrow(/raw HTML or an inline style/);
    expect(() => h('div', { style: 'color:red' })).toThrow(/raw HTML or an inline style/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('links only http(s) URLs', () => {
    expect(safeHref('https://img.example-mall.cn/a.jpg')).toBe('https://img.example-mall.cn/a.jpg');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'not a url', 'vbscript:x']) expect(safeHref(bad)).toBeNull();
  });

  it('has every label in both languages, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) expect(names(en[key]), key).toEqual(names(zh[key]));
    expect(translator('zh')('sla.dueIn', { time: '3 小时' })).toBe('剩余 3 小时');
    expect(translator('en')('sla.dueIn', { time: '3 h' })).toBe('due in 3 h');
  });
});
