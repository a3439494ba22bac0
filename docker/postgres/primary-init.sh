#!/bin/bash
# Runs once, when the primary's data directory is first initialised (the postgres image runs
# /docker-entrypoint-initdb.d/* as the postgres user against a temporary local server).
# Creates Surge's role and one database per physical shard, and the role the replica streams
# with; lets that role connect for replication from the compose network.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" \
  -v repl_user="$REPLICATION_USER" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE ROLE :"repl_user" LOGIN REPLICATION PASSWORD :'repl_password';
SQL

for db in $APP_DATABASES; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE \"$db\" OWNER \"$APP_DB_USER\""
done

# "all" in the database column does not cover replication connections: they need a line of their own.
echo "host replication $REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
