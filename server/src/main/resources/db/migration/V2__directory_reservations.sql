-- Directory rows are written before the user row they point to, on another shard. A row whose user
-- never appeared (a registration cut short) or has moved on to another name is stale; after a grace
-- period a new registration may take it over. reserved_at tells its age.
ALTER TABLE usernames ADD COLUMN reserved_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE emails ADD COLUMN reserved_at timestamptz NOT NULL DEFAULT now();
