#!/usr/bin/env bash
# Installs the Debian packages the tests use when missing, makes sure PostgreSQL runs locally with a
# 'certwright' role, and runs the whole build with its tests (mvn -B verify).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh

# Test peers, from Debian.
packages=(openssl postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test peers: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PostgreSQL: a local cluster, started, with a role the tests use to create one database per test class.
scripts/lib/postgres.sh

export CERTWRIGHT_TEST_PG_URL=${CERTWRIGHT_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/}
export CERTWRIGHT_TEST_PG_USER=${CERTWRIGHT_TEST_PG_USER:-certwright}
export CERTWRIGHT_TEST_PG_PASSWORD=${CERTWRIGHT_TEST_PG_PASSWORD:-certwright}

exec mvn -B verify "$@"
