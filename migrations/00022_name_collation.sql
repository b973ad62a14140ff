-- +goose Up
-- Names and titles sort as a reader expects, not by bytes, which the clusters' usual C
-- locale gives ("SIASUN" before "Shenbei"): name_order is ICU's root collation with
-- digits compared as numbers ("Centre 2" before "Centre 10"), pinyin orders Chinese
-- text by its reading (奥 ao, 北 bei, 东 dong). The store's sort keys name them
-- (store.byName, store.byPinyin); the indexes that keyset pages read are rebuilt in
-- that order.
CREATE COLLATION IF NOT EXISTS name_order (provider = icu, locale = 'und-u-kn-true');
CREATE COLLATION IF NOT EXISTS pinyin (provider = icu, locale = 'zh-u-co-pinyin');
CREATE INDEX organization_name_ordered ON organization (name_en COLLATE name_order, id);
CREATE INDEX organization_kind_name_ordered ON organization (kind, name_en COLLATE name_order, id);
CREATE INDEX organization_park_ordered ON organization (park_id, name_en COLLATE name_order, id) WHERE park_id IS NOT NULL;
CREATE INDEX organization_name_pinyin ON organization (name_zh COLLATE pinyin, id);
CREATE INDEX training_center_alliance_ordered ON training_center (alliance_id, name_en COLLATE name_order, id);
DROP INDEX organization_name;
DROP INDEX organization_kind_name;
DROP INDEX organization_park;
DROP INDEX training_center_alliance;

-- +goose Down
CREATE INDEX training_center_alliance ON training_center (alliance_id, name_en, id);
CREATE INDEX organization_park ON organization (park_id, name_en, id) WHERE park_id IS NOT NULL;
CREATE INDEX organization_kind_name ON organization (kind, name_en, id);
CREATE INDEX organization_name ON organization (name_en, id);
DROP INDEX training_center_alliance_ordered;
DROP INDEX organization_name_pinyin;
DROP INDEX organization_park_ordered;
DROP INDEX organization_kind_name_ordered;
DROP INDEX organization_name_ordered;
DROP COLLATION pinyin;
DROP COLLATION name_order;
