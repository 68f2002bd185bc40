#!/usr/bin/env bash
# A private CA and a server certificate for the broker's TLS listener, for local tests and trials (not for production:
# there, use the province's PKI or an ACME certificate and keep the CA key offline).
#
#   deploy/security/dev-certs.sh OUT_DIR [HOSTNAME]
#
# Writes OUT_DIR/ca.crt (give it to clients: Mqtt__CaCertificatePath), ca.key, server.crt, server.key. The server
# certificate names HOSTNAME (default localhost), 127.0.0.1 and ::1, and is valid for 825 days.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
out=$1 host=${2:-localhost}
command -v openssl >/dev/null || { echo "dev-certs: openssl not found (Debian package openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj "/CN=Bac Ninh telemetry dev CA" \
  -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
  -keyout "$out/server.key" -out "$out/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$host" > "$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -days 825 \
  -extfile "$out/server.ext" -out "$out/server.crt" 2>/dev/null
rm -f "$out/server.csr" "$out/server.ext" "$out/ca.srl"
chmod 644 "$out/ca.crt" "$out/server.crt"
echo "dev-certs: $out/{ca.crt,ca.key,server.crt,server.key} for $host" >&2
