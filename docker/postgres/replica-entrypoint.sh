#!/bin/bash
# Entrypoint of the streaming replica. On first start (no cluster in $PGDATA) it clones the
# primary with pg_basebackup -R, which also writes standby.signal and primary_conninfo; the clone
# goes to a temporary directory first, so an interrupted one is simply redone. Then it hands over
# to the image's own entrypoint, which finds the cluster and runs postgres as the postgres user.
set -euo pipefail
: "${PGDATA:?}" "${PRIMARY_HOST:?}" "${REPLICATION_USER:?}" "${REPLICATION_PASSWORD:?}"

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  clone="$PGDATA.clone"
  rm -rf "$clone"
  mkdir -p "$clone"
  chown postgres:postgres "$clone" "$(dirname "$PGDATA")"
  chmod 700 "$clone"
  until gosu postgres pg_isready -q -h "$PRIMARY_HOST" -p 5432; do
    echo "replica: waiting for $PRIMARY_HOST"
    sleep 1
  done
  echo "replica: cloning $PRIMARY_HOST"
  gosu postgres env PGPASSWORD="$REPLICATION_PASSWORD" \
    pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U "$REPLICATION_USER" -D "$clone" -R -X stream -c fast
  rm -rf "$PGDATA"
  mv "$clone" "$PGDATA"
fi

# A hot standby needs these at least as high as on the primary (see compose.yaml).
exec docker-entrypoint.sh postgres -c hot_standby=on -c hot_standby_feedback=on \
  -c max_connections=200 -c max_wal_senders=10 -c max_replication_slots=10
