-- TPC-H-like data for bench_advisor.sh.  psql variable :sf is the scale
-- factor (1 = 150,000 customers, 1.5 M orders, about 6 M lineitems).  The
-- value domains follow the TPC-H specification closely enough for its 22
-- queries to select what they select there (dates 1992-1998, segments,
-- brands, types, containers, ship modes, the 'special requests' and
-- 'Customer Complaints' comments, colours in part names); the generator
-- is a deterministic function of the row number, so runs are comparable.
\set ON_ERROR_STOP on
SET synchronous_commit = off;

CREATE FUNCTION pga_h(i bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((hashint8(i * 1000003 + salt)::bigint + 2147483648) % 1000000007)::float8 / 1000000007 $$;

INSERT INTO region VALUES
 (0,'AFRICA','c'),(1,'AMERICA','c'),(2,'ASIA','c'),(3,'EUROPE','c'),(4,'MIDDLE EAST','c');
INSERT INTO nation VALUES
 (0,'ALGERIA',0,'c'),(1,'ARGENTINA',1,'c'),(2,'BRAZIL',1,'c'),(3,'CANADA',1,'c'),(4,'EGYPT',4,'c'),
 (5,'ETHIOPIA',0,'c'),(6,'FRANCE',3,'c'),(7,'GERMANY',3,'c'),(8,'INDIA',2,'c'),(9,'INDONESIA',2,'c'),
 (10,'IRAN',4,'c'),(11,'IRAQ',4,'c'),(12,'JAPAN',2,'c'),(13,'JORDAN',4,'c'),(14,'KENYA',0,'c'),
 (15,'MOROCCO',0,'c'),(16,'MOZAMBIQUE',0,'c'),(17,'PERU',1,'c'),(18,'CHINA',2,'c'),(19,'ROMANIA',3,'c'),
 (20,'SAUDI ARABIA',4,'c'),(21,'VIETNAM',2,'c'),(22,'RUSSIA',3,'c'),(23,'UNITED KINGDOM',3,'c'),
 (24,'UNITED STATES',1,'c');

INSERT INTO supplier
SELECT s, 'Supplier#' || lpad(s::text, 9, '0'), 'addr' || s, (pga_h(s, 1) * 25)::int % 25,
       '', round((pga_h(s, 2) * 10998.99 - 999.99)::numeric, 2),
       CASE WHEN s % 2000 = 7 THEN 'fast Customer sly Complaints ' || s ELSE 'ironic deposits ' || s END
FROM generate_series(1, (10000 * :sf)::int) s;
UPDATE supplier SET s_phone = (10 + s_nationkey) || '-' || lpad((s_suppkey % 1000)::text, 3, '0') || '-555-0100';

INSERT INTO part
SELECT p,
       (ARRAY['almond','antique','aquamarine','azure','beige','bisque','black','blanched','blue','blush',
              'brown','burlywood','burnished','chartreuse','chiffon','chocolate','coral','cornflower',
              'cornsilk','cream','cyan','dark','deep','dim','dodger','drab','firebrick','floral','forest',
              'frosted','gainsboro','ghost','goldenrod','green','grey','honeydew','hot','indian','ivory',
              'khaki','lace','lavender','lawn','lemon','light','lime','linen','magenta','maroon','medium',
              'metallic','midnight','mint','misty','moccasin','navajo','navy','olive','orange','orchid',
              'pale','papaya','peach','peru','pink','plum','powder','puff','purple','red','rose','rosy',
              'royal','saddle','salmon','sandy','seashell','sienna','sky','slate','smoke','snow','spring',
              'steel','tan','thistle','tomato','turquoise','violet','wheat','white','yellow'])[1 + (pga_h(p, 3) * 92)::int % 92]
         || ' ' || (ARRAY['almond','antique','aquamarine','azure','beige','bisque','black','blue','brown',
              'chartreuse','coral','cream','cyan','dark','deep','dim','drab','forest','frosted','green',
              'grey','hot','ivory','khaki','lace','lemon','light','lime','linen','maroon','medium','mint',
              'navy','olive','orange','orchid','pale','peach','pink','plum','puff','purple','red','rose',
              'royal','salmon','sandy','sky','slate','smoke','snow','spring','steel','tan','tomato',
              'violet','wheat','white','yellow'])[1 + (pga_h(p, 4) * 59)::int % 59]
         || ' ' || (ARRAY['almond','azure','black','blue','brown','coral','cream','cyan','dark','green',
              'grey','ivory','khaki','lemon','lime','navy','olive','orange','pink','plum','red','rose',
              'salmon','sky','snow','tan','violet','white','yellow'])[1 + (pga_h(p, 5) * 29)::int % 29],
       'Manufacturer#' || (1 + (pga_h(p, 6) * 5)::int % 5), '', 
       (ARRAY['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'])[1 + (pga_h(p, 7) * 6)::int % 6] || ' ' ||
       (ARRAY['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'])[1 + (pga_h(p, 8) * 5)::int % 5] || ' ' ||
       (ARRAY['TIN','NICKEL','BRASS','STEEL','COPPER'])[1 + (pga_h(p, 9) * 5)::int % 5],
       1 + (pga_h(p, 10) * 50)::int % 50,
       (ARRAY['SM','LG','MED','JUMBO','WRAP'])[1 + (pga_h(p, 11) * 5)::int % 5] || ' ' ||
       (ARRAY['CASE','BOX','BAG','JAR','PKG','PACK','CAN','DRUM'])[1 + (pga_h(p, 12) * 8)::int % 8],
       round((90000 + ((p / 10) % 20001) + 100 * (p % 1000))::numeric / 100, 2),
       'final packages ' || p
FROM generate_series(1, (200000 * :sf)::int) p;
UPDATE part SET p_brand = 'Brand#' || substr(p_mfgr, 14) || (1 + (pga_h(p_partkey, 13) * 5)::int % 5);

INSERT INTO partsupp
SELECT p, ((p + i * ((10000 * :sf)::int / 4 + (p - 1) / (10000 * :sf)::int)) % (10000 * :sf)::int) + 1,
       1 + (pga_h(p * 4 + i, 14) * 9999)::int, round((1 + pga_h(p * 4 + i, 15) * 999)::numeric, 2),
       'bold requests ' || p
FROM generate_series(1, (200000 * :sf)::int) p, generate_series(0, 3) i;

INSERT INTO customer
SELECT c, 'Customer#' || lpad(c::text, 9, '0'), 'addr' || c, n,
       (10 + n) || '-' || lpad((c % 1000)::text, 3, '0') || '-555-0100',
       round((pga_h(c, 17) * 10998.99 - 999.99)::numeric, 2),
       (ARRAY['AUTOMOBILE','BUILDING','FURNITURE','MACHINERY','HOUSEHOLD'])[1 + (pga_h(c, 18) * 5)::int % 5],
       'even accounts ' || c
FROM (SELECT c, (pga_h(c, 16) * 25)::int % 25 AS n FROM generate_series(1, (150000 * :sf)::int) c) s;

-- Orders: only customers whose key is not a multiple of 3 order (as in
-- TPC-H); dates uniform over 1992-01-01 .. 1998-08-02.
INSERT INTO orders
SELECT o, ck - CASE WHEN ck % 3 = 0 THEN 1 ELSE 0 END, 'O', 0,
       date '1992-01-01' + (pga_h(o, 20) * 2405)::int,
       (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + (pga_h(o, 21) * 5)::int % 5],
       'Clerk#' || lpad((1 + (pga_h(o, 22) * 1000 * :sf)::int)::text, 9, '0'), 0,
       CASE WHEN o % 100 < 2 THEN 'pending special ideas requests ' || o ELSE 'slyly regular ' || o END
FROM (SELECT o, 1 + (pga_h(o, 19) * (150000 * :sf)::int)::int % (150000 * :sf)::int AS ck
        FROM generate_series(1, (1500000 * :sf)::int) o) s;

INSERT INTO lineitem
SELECT o.o_orderkey, pk,
       ((pk + (l % 4) * ((10000 * :sf)::int / 4 + (pk - 1) / (10000 * :sf)::int)) % (10000 * :sf)::int) + 1,
       l, q, round(q * (900 + (pk % 1000))::numeric / 10, 2),
       round((pga_h(o.o_orderkey * 8 + l, 25) * 10)::int::numeric / 100, 2),
       round((pga_h(o.o_orderkey * 8 + l, 26) * 8)::int::numeric / 100, 2),
       CASE WHEN sd + rd <= date '1995-06-17'
            THEN (ARRAY['R','A'])[1 + (pga_h(o.o_orderkey * 8 + l, 27) * 2)::int % 2] ELSE 'N' END,
       CASE WHEN sd > date '1995-06-17' THEN 'O' ELSE 'F' END,
       sd, o.o_orderdate + 30 + (pga_h(o.o_orderkey * 8 + l, 28) * 60)::int, sd + rd,
       (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[1 + (pga_h(o.o_orderkey * 8 + l, 29) * 4)::int % 4],
       (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[1 + (pga_h(o.o_orderkey * 8 + l, 30) * 7)::int % 7],
       'carefully final ' || l
FROM orders o,
     LATERAL generate_series(1, 1 + (pga_h(o.o_orderkey, 23) * 7)::int % 7) l,
     LATERAL (SELECT 1 + (pga_h(o.o_orderkey * 8 + l, 24) * (200000 * :sf)::int)::int % (200000 * :sf)::int AS pk,
                     (1 + (pga_h(o.o_orderkey * 8 + l, 31) * 50)::int % 50)::numeric AS q,
                     o.o_orderdate + 1 + (pga_h(o.o_orderkey * 8 + l, 32) * 121)::int AS sd,
                     1 + (pga_h(o.o_orderkey * 8 + l, 33) * 30)::int AS rd) v;

-- Order status and total from the lines, as TPC-H defines them.
UPDATE orders o SET o_orderstatus = s.st, o_totalprice = s.tp
  FROM (SELECT l_orderkey,
               CASE WHEN bool_and(l_linestatus = 'F') THEN 'F'
                    WHEN bool_and(l_linestatus = 'O') THEN 'O' ELSE 'P' END AS st,
               round(sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)), 2) AS tp
          FROM lineitem GROUP BY l_orderkey) s
 WHERE o.o_orderkey = s.l_orderkey;

DROP FUNCTION pga_h(bigint, int);
VACUUM ANALYZE;
