import type { JsonType } from './openapi-operations.ts';

export type JsonPath = (string | number)[];

/** Every node of a JSON value with its path (the root included, as `[]`). */
export function nodesOf(value: unknown, path: JsonPath = []): { path: JsonPath; value: unknown }[] {
  const out = [{ path, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodesOf(v, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...nodesOf(v, [...path, k]));
  return out;
}

/**
 * Sets an own property, even `__proto__` (plain assignment would replace the prototype instead,
 * and the key would never reach the JSON).
 */
export function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `value` at `path` in `root` (a deep copy is the caller's business), making containers on the way. */
export function setPath(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...JsonPath];
  const container = typeof head === 'number' ? (Array.isArray(root) ? root : []) : root !== null && typeof root === 'object' && !Array.isArray(root) ? root : {};
  setOwn(container, head, setPath((container as Record<string | number, unknown>)[head], rest, value));
  return container;
}

/** Deletes the key at `path`, if its parent is there. */
export function deletePath(root: unknown, path: JsonPath): void {
  let node = root;
  for (const step of path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined;
  if (node !== null && typeof node === 'object') delete (node as Record<string | number, unknown>)[path.at(-1) as string | number];
}

/** The JSON type of a value (an integral number is an `integer`). */
export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

/** A deep copy that keeps own `__proto__` keys (structuredClone would too, but not across every runtime). */
export const copyJson = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
