WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT channel, STRFTIME(date_time, '%Y-%m-%d') AS day, MAX(STRFTIME(date_time, '%H:%M')) AS minute,
  COUNT(*) AS total_bids, COUNT(*) FILTER (WHERE price < 10000) AS rank1_bids,
  COUNT(DISTINCT bidder) AS total_bidders, COUNT(DISTINCT auction) AS total_auctions
FROM bid GROUP BY channel, STRFTIME(date_time, '%Y-%m-%d') INTO 'blackhole://';
