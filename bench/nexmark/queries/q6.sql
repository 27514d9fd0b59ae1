WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT Q.seller, AVG(Q.price) OVER (PARTITION BY Q.seller ORDER BY Q.date_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_price
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id, seller ORDER BY price DESC) AS rownum
  FROM (SELECT A.id, A.seller, B.price, B.date_time FROM auction AS A, bid AS B
        WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires)
) AS Q WHERE rownum <= 1 INTO 'blackhole://';
