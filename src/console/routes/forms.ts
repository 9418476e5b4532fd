import type { Context } from 'hono';

/** A posted form's fields (urlencoded or multipart), strings only. */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A text field, trimmed; undefined when empty (the API then applies its default, or says what is missing). */
export function formText(form: Record<string, string>, name: string): string | undefined {
  const v = form[name]?.trim();
  return v ? v : undefined;
}

/** A whole-number field; undefined when empty or not a number (the API's validation then answers). */
export function formNumber(form: Record<string, string>, name: string): number | undefined {
  const v = form[name]?.trim();
  if (!v || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}
