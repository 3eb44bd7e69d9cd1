-- The sample shop: an e-commerce schema as applications write it, with the
-- usual gaps an architect would point out (foreign keys without indexes, a
-- lookup column without an index, a redundant index).
CREATE TABLE categories (
    id          serial PRIMARY KEY,
    parent_id   integer REFERENCES categories(id),
    name        text NOT NULL
);

CREATE TABLE customers (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    full_name   text NOT NULL,
    country     text NOT NULL,
    status      text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE addresses (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    kind        text NOT NULL,
    city        text NOT NULL,
    postcode    text NOT NULL
);

CREATE TABLE products (
    id          serial PRIMARY KEY,
    category_id integer NOT NULL REFERENCES categories(id),
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    price       numeric(10,2) NOT NULL,
    stock       integer NOT NULL,
    attributes  jsonb NOT NULL DEFAULT '{}'
);
-- Redundant: the UNIQUE constraint already indexes sku.
CREATE INDEX products_sku_copy_idx ON products (sku);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    address_id  bigint REFERENCES addresses(id),
    status      text NOT NULL,
    total       numeric(12,2) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders(id),
    line_no     integer NOT NULL,
    product_id  integer NOT NULL REFERENCES products(id),
    quantity    integer NOT NULL,
    unit_price  numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
