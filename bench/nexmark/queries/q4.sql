WITH bid AS (SELECT * FROM 'nexmark://bid' WITH (events = __EVENTS__)), auction AS (SELECT * FROM 'nexmark://auction' WITH (events = __EVENTS__)), person AS (SELECT * FROM 'nexmark://person' WITH (events = __EVENTS__))
SELECT Q.category, AVG(Q.final) AS avg_final FROM (
  SELECT MAX(B.price) AS final, A.category FROM auction A JOIN bid B ON A.id = B.auction
  WHERE B.date_time BETWEEN A.date_time AND A.expires GROUP BY A.id, A.category) Q
GROUP BY Q.category INTO 'blackhole://';
