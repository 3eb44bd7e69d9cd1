CREATE INDEX ON lineitem (l_partkey, l_suppkey, l_shipdate)
CREATE INDEX ON partsupp (ps_partkey)
CREATE INDEX ON lineitem (l_orderkey) WHERE l_commitdate < l_receiptdate AND l_shipdate < l_commitdate
CREATE INDEX ON supplier (s_nationkey) INCLUDE (s_suppkey)
CREATE INDEX ON part (p_brand, p_container, p_size)
CREATE INDEX ON lineitem (l_partkey) WHERE l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON'
CREATE INDEX ON part (p_size) INCLUDE (p_partkey, p_brand, p_type)
