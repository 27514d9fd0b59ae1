WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT auction, bidder, price, date_time, extra, DATE_FORMAT(date_time, '%Y-%m-%d') AS dt,
  DATE_FORMAT(date_time, '%H:%i') AS hm
FROM bid INTO '__OUT__/q10/' WITH (format = 'csv', partition_by = 'dt,hm');
