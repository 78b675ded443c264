#!/usr/bin/env bash
# Installs the Debian packages the tests use when missing, makes sure PostgreSQL runs locally with a
# 'certwright' role, and runs the whole build with its tests (mvn -B verify).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/jdk.sh

# Test peers, from Debian: openssl checks what we emit, PostgreSQL is the production database; nginx, wrk and cfssl are
# the benchmark peers of scripts/bench/ (nginx is also a deployment target); certbot and lego are ACME clients, and
# pebble brings pebble-challtestsrv, the DNS server ACME tests resolve names through, and is the upstream ACME CA of
# UpstreamPebbleIT; sshd (openssh-server), nginx and
# haproxy are the deployer's targets, ssh-keygen (openssh-client) makes their host keys; Chromium and its driver run the
# dashboard's browser tests; softhsm2 (SoftHSM2's PKCS#11 module and softhsm2-util) is the token the CA's PKCS#11 key
# store is tested against, and opensc brings pkcs11-tool, which checks what that token holds (Pkcs11TokenTest); nmap
# (with its ssl-cert script) is what scripts/bench/discovery.sh measures network discovery against, and time its memory;
# bind9 (named) and bind9-utils (nsupdate, tsig-keygen) are the DNS server of the upstream dns-01 tests (UpstreamDns01IT);
# postfix, dovecot-imapd and slapd are the real STARTTLS servers (SMTP, IMAP, LDAP) discovery scans, run by StartTlsServers
# inside a network namespace that iproute2 (ip netns, veth) makes (NetNamespace).
packages=(openssl postgresql nginx wrk golang-cfssl curl certbot lego pebble openssh-server openssh-client haproxy chromium chromium-driver
  softhsm2 opensc bind9 bind9-utils nmap time postfix dovecot-imapd slapd iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test peers: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Installing a server must not start it (nginx would take port 80): policy-rc.d says no while we install.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  # postfix and slapd ask debconf questions: no system mail configuration, no system LDAP database (the tests bring their own).
  printf '%s\n' 'postfix postfix/main_mailer_type select No configuration' 'slapd slapd/no_configuration boolean true' | debconf-set-selections
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# PostgreSQL: a local cluster, started, with a role the tests use to create one database per test class.
scripts/lib/postgres.sh

export CERTWRIGHT_TEST_PG_URL=${CERTWRIGHT_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/}
export CERTWRIGHT_TEST_PG_USER=${CERTWRIGHT_TEST_PG_USER:-certwright}
export CERTWRIGHT_TEST_PG_PASSWORD=${CERTWRIGHT_TEST_PG_PASSWORD:-certwright}

exec mvn -B verify "$@"
