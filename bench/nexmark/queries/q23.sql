WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT bidder, price, channel, url, B.extra AS bid_extra, P.id AS person_id, name, email_address,
  credit_card, city, state, P.extra AS person_extra, item_name, description, initial_bid, reserve,
  A.date_time AS auction_date_time, expires, seller, category, A.extra AS auction_extra
FROM bid B JOIN person P ON P.id = B.bidder JOIN auction A ON A.seller = B.bidder INTO 'blackhole://';
