-- Sample data.  psql variable :scale (default 1) multiplies the sizes:
-- scale 1 gives 20,000 customers, 5,000 products, 100,000 orders and about
-- 250,000 order lines.  Deterministic (setseed) so runs are comparable.
\if :{?scale}
\else
\set scale 1
\endif
SELECT setseed(0.42) AS seed \gset

INSERT INTO categories (parent_id, name)
SELECT NULL, 'department ' || g FROM generate_series(1, 10) g;
INSERT INTO categories (parent_id, name)
SELECT 1 + (g % 10), 'category ' || g FROM generate_series(1, 40) g;

INSERT INTO customers (email, full_name, country, status, created_at, updated_at)
SELECT 'user' || g || '@example.com',
       'Customer ' || g,
       (ARRAY['DE','FR','US','GB','NL','ES','IT','PL'])[1 + g % 8],
       CASE WHEN g % 50 = 0 THEN 'blocked' WHEN g % 7 = 0 THEN 'inactive' ELSE 'active' END,
       now() - (g % 1000) * interval '1 day',
       now() - (g % 100) * interval '1 day'
FROM generate_series(1, (20000 * :scale)::int) g;

INSERT INTO addresses (customer_id, kind, city, postcode)
SELECT c.id, k.kind, 'City ' || (c.id % 500), lpad((c.id % 99999)::text, 5, '0')
FROM customers c
CROSS JOIN (VALUES ('shipping'), ('billing')) k(kind)
WHERE k.kind = 'shipping' OR c.id % 3 = 0;

INSERT INTO products (category_id, sku, name, price, stock, attributes)
SELECT 11 + g % 40,
       'SKU-' || lpad(g::text, 6, '0'),
       'Product ' || g,
       round((5 + random() * 495)::numeric, 2),
       (random() * 200)::int,
       jsonb_build_object('color', (ARRAY['red','blue','green','black'])[1 + g % 4],
                          'size', (ARRAY['S','M','L','XL'])[1 + g % 4])
FROM generate_series(1, 5000) g;

INSERT INTO orders (customer_id, address_id, status, total, created_at)
SELECT 1 + (g * 7919) % (20000 * :scale)::int,
       NULL,
       CASE WHEN g % 100 < 3 THEN 'pending' WHEN g % 100 < 6 THEN 'cancelled'
            WHEN g % 100 < 20 THEN 'shipped' ELSE 'delivered' END,
       0,
       now() - ((100000 * :scale)::int - g) * interval '5 minutes' / :scale
FROM generate_series(1, (100000 * :scale)::int) g;

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.id, l, 1 + (o.id * 31 + l * 17) % 5000, 1 + (o.id + l) % 4, 0
FROM orders o, generate_series(1, 1 + (o.id % 4)::int) l;

UPDATE order_items i SET unit_price = p.price FROM products p WHERE p.id = i.product_id;
UPDATE orders o SET total = s.total
  FROM (SELECT order_id, sum(quantity * unit_price) AS total FROM order_items GROUP BY 1) s
 WHERE s.order_id = o.id;

VACUUM ANALYZE;
