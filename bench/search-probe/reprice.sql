-- Search probe: the write cost of the posting design. Reprices 2 % of the mall's items (12 000,
-- like a nightly re-sync's changes) and 1 item (a single price change), rewriting their postings
-- by key (old grams + old points), inside a transaction that is rolled back.
-- Run: psql -h 127.0.0.1 -U postgres search_probe -f bench/search-probe/reprice.sql
\timing on
begin;
create temp table ch as select item_id, points as old_points, points + 7 as new_points, search_grams from sp_search where mall_id = 1 and item_id % 50 = 0;
delete from sp_post p using ch, unnest(ch.search_grams) g where p.mall_id = 1 and p.gram = g and p.points = ch.old_points and p.item_id = ch.item_id;
insert into sp_post select 1, g, ch.new_points, ch.item_id from ch, unnest(ch.search_grams) g;
update sp_search s set points = ch.new_points from ch where s.mall_id = 1 and s.item_id = ch.item_id;
rollback;
begin;
create temp table one as select item_id, points as old_points, points + 7 as new_points, search_grams from sp_search where mall_id = 1 and item_id = 4242;
delete from sp_post p using one, unnest(one.search_grams) g where p.mall_id = 1 and p.gram = g and p.points = one.old_points and p.item_id = one.item_id;
insert into sp_post select 1, g, one.new_points, one.item_id from one, unnest(one.search_grams) g;
update sp_search s set points = one.new_points from one where s.mall_id = 1 and s.item_id = one.item_id;
rollback;
