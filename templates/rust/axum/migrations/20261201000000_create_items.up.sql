-- The sample resource behind /v1/items. sqlx::migrate! embeds this file in
-- the binary; `<binary> migrate` applies it, once, in a transaction.
CREATE TABLE items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- GET /v1/items lists the newest first.
CREATE INDEX items_created_at_id_idx ON items (created_at DESC, id DESC);
