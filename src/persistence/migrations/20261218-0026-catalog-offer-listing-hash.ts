import { Migration } from '@mikro-orm/migrations';

/**
 * A nightly re-sync that compares in memory (issue 21): catalog_offer.listing_hash is a 52-bit
 * digest of what a listing was compared on when its offer was last written (src/domain/listing-hash.ts).
 * A full run reads the supplier's digests once and compares each listing with its own in memory,
 * instead of probing the offer and its item per listing. Null (offers written before this
 * migration) never matches: such an offer is written once more, with its digest.
 */
export class Migration20261218_0026_CatalogOfferListingHash extends Migration {
  override name = '20261218-0026-catalog-offer-listing-hash';

  override up(): void {
    // Nullable without a default: no table rewrite.
    this.addSql('alter table catalog_offer add column if not exists listing_hash bigint');
  }

  override down(): void {
    this.addSql('alter table catalog_offer drop column listing_hash');
  }
}
