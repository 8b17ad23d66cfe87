#!/bin/sh
# jose_bench.sh: our JWS rates next to `openssl speed` for the same
# primitive, measured in the same run (issue 3).  Not a test.
#
#   OIDC_BUILD=build/release bench/jose_bench.sh [seconds]
#
# "raw" is oidc_jwk_sign/oidc_jwk_verify over a 256-byte message: the
# primitive plus our wrapper (context set-up, digest, R||S conversion),
# compared with openssl speed's rate for the same key type (RSA-2048 for
# RS*/PS*, the NIST curve of ES*, Ed25519 for EdDSA and Ed25519, Ed448,
# HMAC on 256-byte blocks).
# "jws" is the whole compact operation on a ~250-byte ID token, shown for
# reference (its header/JSON/base64 work is not part of the primitive).
set -eu
B=${OIDC_BUILD:-build/release}
S=${1:-1}
BIN=$B/bench/jose_bench
[ -x "$BIN" ] || { echo "no $BIN (make $BIN)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "== ours ($BIN $S)"
"$BIN" "$S" 2>"$T/ours"
grep '^R ' "$T/ours" > "$T/ours.r" || true

echo "== openssl speed -seconds $S ($(openssl version))"
openssl speed -mr -seconds "$S" rsa2048 ecdsap256 ecdsap384 ecdsap521 \
    ed25519 ed448 2>/dev/null | grep '^+F' > "$T/ossl" || true
for h in sha256 sha384 sha512; do
	openssl speed -mr -seconds "$S" -bytes 256 -hmac "$h" 2>&1 |
	    grep '^+R:' | sed "s/^/$h /" >> "$T/ossl" || true
done

awk -v ours="$T/ours.r" '
function pct(a, b) { return b > 0 ? sprintf("%5.0f%%", 100 * a / b) : "    -" }
BEGIN {
	FS = ":"
	while ((getline l < ours) > 0) {
		split(l, f, " ")
		js[f[2]] = f[3]; jv[f[2]] = f[4]; rs[f[2]] = f[5]; rv[f[2]] = f[6]
	}
}
/^\+F2:/ && $3 == 2048 { os["rsa"] = $4; ov["rsa"] = $5 }
/^\+F4:/ { os["p" $3] = $4; ov["p" $3] = $5 }
/^\+F6:/ && $4 == "Ed25519" { os["ed"] = $5; ov["ed"] = $6 }
/^\+F6:/ && $4 == "Ed448" { os["ed448"] = $5; ov["ed448"] = $6 }
/^sha/ { split($0, g, " "); h = g[1]; split(g[2], r, ":"); os[h] = r[2]; ov[h] = r[2] }
END {
	n = split("HS256 sha256 HS384 sha384 HS512 sha512 RS256 rsa RS384 rsa " \
	    "RS512 rsa PS256 rsa PS384 rsa PS512 rsa ES256 p256 ES384 p384 " \
	    "ES512 p521 EdDSA ed Ed25519 ed Ed448 ed448", m, " ")
	printf("%-7s %-7s %11s %11s %6s %11s %11s %6s %10s %10s\n", "alg",
	    "openssl", "raw sign", "ossl sign", "%", "raw verify",
	    "ossl verif", "%", "jws sign", "jws verif")
	for (i = 1; i < n; i += 2) {
		a = m[i]; p = m[i + 1]
		printf("%-7s %-7s %11.0f %11.0f %6s %11.0f %11.0f %6s %10.0f %10.0f\n",
		    a, p, rs[a], os[p], pct(rs[a], os[p]), rv[a], ov[p],
		    pct(rv[a], ov[p]), js[a], jv[a])
	}
}' "$T/ossl"
