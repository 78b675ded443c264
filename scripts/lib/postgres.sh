#!/usr/bin/env bash
# Makes sure a local PostgreSQL cluster runs on 127.0.0.1:5432 and has the login role 'certwright' (password
# 'certwright', CREATEDB), which tests and benchmarks use to create their own databases.
set -euo pipefail
command -v pg_lsclusters >/dev/null || { echo "postgresql is not installed" >&2; exit 1; }
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
set -- $cluster
if ! pg_lsclusters -h | awk -v v="$1" -v n="$2" '$1==v && $2==n {print $4}' | grep -q online; then
  pg_ctlcluster "$1" "$2" start
fi
for i in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='certwright'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role certwright login createdb password 'certwright'\""
