-- Service tokens (role SERVICE) name the managed certificates whose bundles they may read, one per line.
ALTER TABLE api_token ADD COLUMN scope VARCHAR(8192);
