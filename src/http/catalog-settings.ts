import type { CatalogSelection } from '../domain/catalog-selection.ts';
import { validationFailed } from '../domain/errors.ts';
import { categoryById } from '../domain/taxonomy.ts';

/** A selection whose categories all exist in the canonical taxonomy, or a 400 naming the unknown ones. */
export function checkSelection<T extends CatalogSelection | undefined>(selection: T): T {
  const unknown = (selection?.categories ?? []).filter((id) => !categoryById(id));
  if (unknown.length) {
    throw validationFailed(unknown.map((id) => ({ path: 'body.catalogSelection.categories', message: `unknown category ${id} (see GET /v1/catalog/categories)`, code: 'unknown_category' })));
  }
  return selection;
}
