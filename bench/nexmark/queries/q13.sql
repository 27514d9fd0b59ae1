WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT B.auction, B.bidder, B.price, B.date_time, S.value
FROM bid B JOIN '__OUT__/side_input.csv' S ON B.auction % 10000 = S.key INTO 'blackhole://';
