CREATE INDEX ON lineitem (l_partkey, l_suppkey)
CREATE INDEX ON partsupp (ps_partkey) INCLUDE (ps_suppkey)
CREATE INDEX ON lineitem (l_orderkey) WHERE l_commitdate < l_receiptdate AND l_shipdate < l_commitdate
CREATE INDEX ON supplier (s_suppkey) INCLUDE (s_name, s_address, s_nationkey)
CREATE INDEX ON part (p_brand, p_container, p_size)
CREATE INDEX ON lineitem (l_partkey) WHERE l_shipmode = ANY ('{AIR,"AIR REG"}'::text[]) AND l_shipinstruct = 'DELIVER IN PERSON'
CREATE INDEX ON part (p_size) INCLUDE (p_partkey, p_brand, p_type)
