-- Search probe, step 2: load /tmp/search-probe/items.tsv into database search_probe and build each
-- candidate's index, timing every step (\timing). Run: psql -h 127.0.0.1 -U postgres search_probe -f bench/search-probe/load.sql
\timing on
create extension if not exists pg_trgm;
create extension if not exists rum;
drop table if exists sp_load, sp_item, sp_mall_item, sp_search, sp_post, sp_gram_stats;
create unlogged table sp_load (id bigint, title text, search_text text, search_grams text[], points int, kind text, category_id text, stock_units int, sellable boolean);
\copy sp_load from '/tmp/search-probe/items.tsv'
-- Today's shape: items (with the bigram GIN) and one mall's prices (mall 1).
create table sp_item as select id, title, search_text, search_grams, kind, category_id from sp_load;
alter table sp_item add primary key (id);
create table sp_mall_item as select 1 as mall_id, id as item_id, points, kind, category_id, stock_units, sellable from sp_load;
alter table sp_mall_item add primary key (mall_id, item_id);
create index sp_mall_item_points on sp_mall_item (mall_id, points, item_id) where sellable;
-- baseline index (as catalog_item_search_grams)
create index sp_item_grams on sp_item using gin (search_grams);
-- Candidate A: per-mall denormalised search rows, sellable only: GIN on grams (bitmap + sort)
create table sp_search as select m.mall_id, m.item_id, m.points, m.kind, m.category_id, coalesce(m.stock_units, 1) > 0 as in_stock, i.search_text, i.search_grams,
  array_to_tsvector(i.search_grams) as tsv from sp_mall_item m join sp_item i on i.id = m.item_id where m.sellable;
alter table sp_search add primary key (mall_id, item_id);
create index sp_search_grams on sp_search using gin (search_grams);
-- Candidate B: RUM over the bigram tsvector with points attached: ordered by points inside the index
create index sp_search_rum on sp_search using rum (tsv rum_tsvector_addon_ops, points) with (attach = 'points', to = 'tsv');
-- Candidate C: pg_trgm on the normalised text
create index sp_search_trgm on sp_search using gin (search_text gin_trgm_ops);
-- Candidate D: a posting list per (mall, bigram) ordered by points: btree, read index-only
create table sp_post as select s.mall_id, g as gram, s.points, s.item_id from sp_search s, unnest(s.search_grams) g;
create index sp_post_key on sp_post (mall_id, gram, points, item_id);
-- how many postings each bigram has, to pick the rarest one of a query
create table sp_gram_stats as select mall_id, gram, count(*) as n from sp_post group by 1, 2;
alter table sp_gram_stats add primary key (mall_id, gram);
vacuum analyze sp_item; vacuum analyze sp_mall_item; vacuum analyze sp_search; vacuum analyze sp_post;
select relname, pg_size_pretty(pg_relation_size(oid)) from pg_class where relname like 'sp\_%' and relkind in ('r','i') order by relname;
select count(*) filter (where sellable) as sellable, count(*) from sp_load;
