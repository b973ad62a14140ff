-- +goose Up
-- Names and titles sort as a reader expects, not by bytes, which the clusters' usual C
-- locale gives ("SIASUN" before "Shenbei"): name_order is ICU's root collation with
-- digits compared as numbers ("Centre 2" before "Centre 10"), pinyin orders Chinese
-- text by its reading (奥 ao, 北 bei, 东 dong). The store's sort keys name them
-- (store.byName, store.byPinyin), and the keyset pages read indexes in that order. The
-- byte-order indexes stay, for SQL that sorts by the plain column (ad hoc reports, and
-- PostGraphile in the benchmark, which must not lose its index to our change).
CREATE COLLATION IF NOT EXISTS name_order (provider = icu, locale = 'und-u-kn-true');
CREATE COLLATION IF NOT EXISTS pinyin (provider = icu, locale = 'zh-u-co-pinyin');
CREATE INDEX organization_name_ordered ON organization (name_en COLLATE name_order, id);
CREATE INDEX organization_kind_name_ordered ON organization (kind, name_en COLLATE name_order, id);
CREATE INDEX organization_park_ordered ON organization (park_id, name_en COLLATE name_order, id) WHERE park_id IS NOT NULL;
CREATE INDEX organization_name_pinyin ON organization (name_zh COLLATE pinyin, id);
CREATE INDEX training_center_alliance_ordered ON training_center (alliance_id, name_en COLLATE name_order, id);

-- +goose Down
DROP INDEX training_center_alliance_ordered;
DROP INDEX organization_name_pinyin;
DROP INDEX organization_park_ordered;
DROP INDEX organization_kind_name_ordered;
DROP INDEX organization_name_ordered;
DROP COLLATION pinyin;
DROP COLLATION name_order;
