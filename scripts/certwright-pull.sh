#!/usr/bin/env bash
# certwright-pull.sh: keeps a managed certificate's files on a service host up to date. Run it from cron or a systemd
# timer (or in a loop with --wait, which long-polls). It fetches the bundle with the host's service token and the
# ETag it saw last; only when Certwright has a new instance does it write the files (atomically, key 0600) and run the
# reload command. With --mtls it needs no token: it authenticates with the certificate and key it already holds in
# --dir (the slot's current one, or the one just replaced), and with --renew it first asks for a renewal now.
#
#   certwright-pull.sh --server https://certwright.example:8443 --name web (--token-file /etc/certwright/web.token | --mtls) \
#       --dir /etc/ssl/web [--cacert /etc/certwright/root.pem] [--reload 'systemctl reload nginx'] [--wait PT5M] [--renew]
#
# Files in --dir: cert.pem (leaf), chain.pem (intermediates), fullchain.pem (both), key.pem (0600), .etag.
# Exit status: 0 when the files are current (changed or not), 1 on any error (nothing is changed then).
set -euo pipefail
umask 077

server= name= token_file= dir= cacert= reload= wait= mtls= renew=
while [ $# -gt 0 ]; do
  case $1 in
    --server) server=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --token-file) token_file=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --cacert) cacert=$2; shift 2 ;;
    --reload) reload=$2; shift 2 ;;
    --wait) wait=$2; shift 2 ;;
    --mtls) mtls=1; shift ;;
    --renew) renew=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "certwright-pull: unknown argument $1" >&2; exit 1 ;;
  esac
done
[ -n "$server" ] && [ -n "$name" ] && [ -n "$dir" ] || { echo "certwright-pull: --server, --name and --dir are required" >&2; exit 1; }
[ -n "$token_file" ] || [ -n "$mtls" ] || { echo "certwright-pull: --token-file or --mtls is required" >&2; exit 1; }
[ -z "$renew" ] || [ -n "$mtls" ] || { echo "certwright-pull: --renew needs --mtls (a service renews with its own certificate)" >&2; exit 1; }
[[ $name =~ ^[a-z0-9][a-z0-9._-]{0,63}$ ]] || { echo "certwright-pull: bad --name" >&2; exit 1; }
[ -z "$token_file" ] || [ -r "$token_file" ] || { echo "certwright-pull: cannot read $token_file" >&2; exit 1; }
[ -z "$mtls" ] || { [ -r "$dir/cert.pem" ] && [ -r "$dir/key.pem" ]; } || { echo "certwright-pull: --mtls needs $dir/cert.pem and $dir/key.pem" >&2; exit 1; }
mkdir -p "$dir"

work=$(mktemp -d "$dir/.pull.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The token goes to curl in a header file, never on a command line that ps would show.
: > "$work/headers"
[ -z "$token_file" ] || printf 'Authorization: Bearer %s\n' "$(tr -d '\r\n' < "$token_file")" > "$work/headers"
tls_args=()
[ -n "$cacert" ] && tls_args+=(--cacert "$cacert")
# mTLS with copies of the files in hand, so that the answer can replace the originals while curl is done with them.
[ -z "$mtls" ] || { cp "$dir/cert.pem" "$work/client.pem" && cp "$dir/key.pem" "$work/client.key" && tls_args+=(--cert "$work/client.pem" --key "$work/client.key"); }
if [ -n "$renew" ]; then
  status=$(curl -sS --max-time 60 "${tls_args[@]}" -X POST -o "$work/renewed.json" -w '%{http_code}' "$server/api/v1/managed-certificates/$name/renew") \
    || { echo "certwright-pull: renewal request to $server failed" >&2; exit 1; }
  [ "$status" = 200 ] || { echo "certwright-pull: renewal answered HTTP $status: $(head -c 500 "$work/renewed.json")" >&2; exit 1; }
fi
if [ -f "$dir/.etag" ]; then printf 'If-None-Match: %s\n' "$(cat "$dir/.etag")" >> "$work/headers"; fi
url="$server/api/v1/managed-certificates/$name/bundle?format=pem"
max_time=60
if [ -n "$wait" ]; then url="$url&wait=$wait"; max_time=400; fi
curl_args=(-sS --max-time "$max_time" -H "@$work/headers" -D "$work/response-headers" -o "$work/bundle.pem" -w '%{http_code}' "${tls_args[@]}")
status=$(curl "${curl_args[@]}" "$url") || { echo "certwright-pull: request to $server failed" >&2; exit 1; }
case $status in
  304) exit 0 ;;
  200) ;;
  *) echo "certwright-pull: $server answered HTTP $status: $(head -c 500 "$work/bundle.pem")" >&2; exit 1 ;;
esac

# Split: the first certificate is the leaf, the others the chain, then the key.
awk -v dir="$work" '
  /-----BEGIN CERTIFICATE-----/ { n++; out = (n == 1) ? dir "/cert.pem" : dir "/chain.pem" }
  /-----BEGIN PRIVATE KEY-----/ { out = dir "/key.pem" }
  out { print > out }
  /-----END (CERTIFICATE|PRIVATE KEY)-----/ { out = "" }
' "$work/bundle.pem"
[ -s "$work/cert.pem" ] && [ -s "$work/key.pem" ] || { echo "certwright-pull: the bundle has no certificate or no key" >&2; exit 1; }
touch "$work/chain.pem"
cat "$work/cert.pem" "$work/chain.pem" > "$work/fullchain.pem"
chmod 0644 "$work/cert.pem" "$work/chain.pem" "$work/fullchain.pem"
chmod 0600 "$work/key.pem"
# Each rename is atomic; the key goes first so that a reader never pairs a new certificate with an old key for long.
for f in key.pem cert.pem chain.pem fullchain.pem; do mv -f "$work/$f" "$dir/$f"; done
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$work/response-headers" | tr -d '\r' | tail -1)
printf '%s\n' "$etag" > "$work/etag" && mv -f "$work/etag" "$dir/.etag"
if [ -n "$reload" ]; then
  sh -c "$reload" || { echo "certwright-pull: the reload command failed" >&2; exit 1; }
fi
echo "certwright-pull: $name updated to $etag"
