WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT B.auction, B.bidder, B.price, B.channel, B.url, B.date_time, B.extra,
  A.item_name, A.description, A.initial_bid, A.reserve, A.date_time AS a_date_time, A.expires, A.seller, A.category, A.extra AS a_extra
FROM bid B JOIN auction A ON B.auction = A.id WHERE A.category = 10 INTO 'blackhole://';
