import { type Child, Fragment, jsx, type JSXNode } from 'hono/jsx';

/*
 * Hono JSX without the JSX syntax. Node runs the hub's TypeScript as it is (type stripping, no
 * build step), and that cannot turn `<a href={x}>` into calls, so pages call `h` directly: the
 * same elements and the same escaping as Hono's JSX runtime (every string child and attribute is
 * escaped; nothing here ever passes raw HTML). Text from suppliers, malls and members is only
 * ever a child or an attribute value.
 */

export type { Child, JSXNode };
export type Props = Record<string, string | number | boolean | null | undefined>;

/**
 * One element: `h('a', { href }, text)` is `<a href={href}>{text}</a>`. Refuses the two props
 * that would bypass escaping or the Content-Security-Policy: `dangerouslySetInnerHTML` (raw
 * HTML) and `style` (inline styles are blocked by `style-src 'self'`; use a class).
 */
export function h(tag: string, props?: Props | null, ...children: Child[]): JSXNode {
  if (props && ('dangerouslySetInnerHTML' in props || 'style' in props)) throw new Error(`console: ${tag} with raw HTML or an inline style`);
  return jsx(tag, props ?? {}, ...children);
}

/** Several nodes side by side, no element around them. */
export function fragment(...children: Child[]): JSXNode {
  return jsx(Fragment, {}, ...children);
}

/** The whole document as text: the doctype, then the tree (pages are synchronous, so it is a string). */
export function renderDocument(root: JSXNode): string {
  return `<!DOCTYPE html>${String(root.toString())}`;
}
