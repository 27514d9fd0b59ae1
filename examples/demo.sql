-- velostream demo: local CSV files → SQL → a Kafka topic and a JSON Lines file, then SQL over both.
-- `scripts/demo.sh` generates the data and starts the built-in development Kafka broker
-- (`velo dev kafka`); unqualified names such as high_value_orders are topics on it.

-- @name: publish high-value orders
SELECT order_id, customer_id, amount, status, ordered_at
FROM 'data/orders-*.csv'
WHERE amount > 900.00 AND status <> 'cancelled'
INTO high_value_orders, 'out/high_value_orders.jsonl';

-- @name: revenue by segment (Kafka topic joined with a CSV table)
SELECT c.segment, COUNT(*) AS orders, SUM(o.amount) AS revenue, MAX(o.amount) AS largest
FROM high_value_orders o
  WITH (until = 'latest', schema = 'order_id BIGINT, customer_id BIGINT, amount DECIMAL(10,2), status STRING, ordered_at TIMESTAMP')
JOIN 'data/customers.csv' c ON o.customer_id = c.customer_id
GROUP BY c.segment
ORDER BY revenue DESC;

-- @name: the JSON Lines copy has the same rows
SELECT COUNT(*) AS orders, SUM(amount) AS revenue FROM 'out/high_value_orders.jsonl';

-- @name: busiest days
SELECT CAST(ordered_at AS DATE) AS day, COUNT(*) AS orders
FROM 'data/orders-*.csv'
GROUP BY day ORDER BY orders DESC, day LIMIT 5;
