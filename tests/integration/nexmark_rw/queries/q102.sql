-- adapted: COUNT(*) / COUNT(DISTINCT auction) is BIGINT / BIGINT, an integer division in
-- RisingWave; velostream's `/` is DOUBLE division (as DuckDB's), hence TRUNC(...).
SELECT
    a.id AS auction_id,
    a.item_name AS auction_item_name,
    COUNT(b.auction) AS bid_count
FROM auction a
JOIN bid b ON a.id = b.auction
GROUP BY a.id, a.item_name
HAVING COUNT(b.auction) >= (
    SELECT TRUNC(COUNT(*) / COUNT(DISTINCT auction)) FROM bid
);
