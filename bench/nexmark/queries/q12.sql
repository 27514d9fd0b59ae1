WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__))
SELECT bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM bid GROUP BY bidder WINDOW TUMBLING(PROCTIME(), INTERVAL '10' SECOND) INTO 'blackhole://';
