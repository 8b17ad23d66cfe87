#!/usr/bin/python3
"""Interoperability of our JOSE code with an independent implementation.

For every JWS algorithm (issue 3; RFC 9864's Ed25519 and Ed448, issue 17):
  - a key made by `oidcctl jose keygen --jwk` loads in python3-jwcrypto and
    its kid equals jwcrypto's RFC 7638 thumbprint();
  - a token we sign (`oidcctl jose sign`) verifies with jwcrypto;
  - a token jwcrypto signs verifies with `oidcctl jose verify`, with the
    payload coming back unchanged;
  - the same jwcrypto token with a flipped signature byte is refused.
Uses only the Python standard library and Debian's python3-jwcrypto.
Run from the repository root; OIDC_BUILD names the build directory
(default build/release).  Prints a TAP line per check and "# N passed,
M failed, 0 skipped" (nothing here skips); exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration", "lib"))
try:
    from jwcrypto import jwk, jws
    from jwcrypto.common import json_encode
    # RFC 9864's "Ed25519" and "Ed448" for a jwcrypto that predates them.
    import jwcrypto_rfc9864  # noqa: F401
except ImportError:
    # A pyenv or venv python3 may lack the Debian package: use the system one.
    if sys.executable != "/usr/bin/python3" and os.path.exists(
            "/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("not ok - jwcrypto importable (apt install python3-jwcrypto)")
    sys.exit(1)

ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
        "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519", "Ed448"]

BUILD = os.environ.get("OIDC_BUILD", "build/release")
OIDCCTL = os.path.join(BUILD, "oidcctl")

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    # TAP lines: run.sh counts each check, not the script once.
    if cond:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("not ok - %s" % name)
        if detail:
            print("#   %s" % detail)


def run(args, stdin):
    p = subprocess.run([OIDCCTL, "jose"] + args, input=stdin,
                       capture_output=True)
    return p.returncode, p.stdout, p.stderr


def jwcrypto_key(alg):
    """A fresh jwcrypto key for alg, as (private JWK, public JWK)."""
    if alg.startswith("HS"):
        k = jwk.JWK.generate(kty="oct", size=int(alg[2:]))
    elif alg[:2] in ("RS", "PS"):
        k = jwk.JWK.generate(kty="RSA", size=2048)
    elif alg.startswith("ES"):
        crv = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
        k = jwk.JWK.generate(kty="EC", crv=crv)
    else:
        k = jwk.JWK.generate(kty="OKP",
                             crv="Ed448" if alg == "Ed448" else "Ed25519")
    priv = json.loads(k.export(private_key=True))
    priv["alg"] = alg
    priv["kid"] = k.thumbprint()
    if alg.startswith("HS"):
        pub = dict(priv)
    else:
        pub = json.loads(k.export(private_key=False))
        pub["alg"] = alg
        pub["kid"] = priv["kid"]
    return jwk.JWK(**priv), pub


def main():
    if not os.access(OIDCCTL, os.X_OK):
        print("not ok - %s is built (make first, or set OIDC_BUILD)"
              % OIDCCTL)
        return 1
    payload = {"iss": "https://op.example", "sub": "248289761001",
               "aud": "s6BhdRkqt3", "exp": 1311281970, "iat": 1311280970,
               "name": "Jane Doe \u00e9"}
    body = json.dumps(payload).encode()
    with tempfile.TemporaryDirectory() as tmp:
        for alg in ALGS:
            # Our key in jwcrypto; kid == RFC 7638 thumbprint.
            rc, out, err = run(["keygen", "--alg", alg, "--jwk"], b"")
            check("%s keygen" % alg, rc == 0, err.decode())
            if rc != 0:
                continue
            ours = json.loads(out)
            try:
                k = jwk.JWK(**ours)
                thumb = k.thumbprint()
            except Exception as e:  # noqa: BLE001 - report any failure
                check("%s key loads in jwcrypto" % alg, False, repr(e))
                continue
            # An oct key is its secret; the others must load private.
            check("%s key loads in jwcrypto as a %s key" % (
                  alg, ours.get("kty")), k.get("kty") == ours.get("kty")
                  and bool(thumb) and (ours.get("kty") == "oct" or
                                       k.has_private),
                  (k.get("kty"), thumb))
            check("%s kid == jwcrypto thumbprint" % alg,
                  ours.get("kid") == thumb,
                  "%s != %s" % (ours.get("kid"), thumb))
            keyfile = os.path.join(tmp, alg + ".jwk")
            with open(keyfile, "w") as f:
                json.dump(ours, f)

            # We sign, jwcrypto verifies.
            rc, out, err = run(["sign", "--key", keyfile, "--alg", alg],
                               body)
            ok = False
            detail = err.decode()
            if rc == 0:
                try:
                    s = jws.JWS()
                    s.deserialize(out.decode().strip())
                    s.verify(k, alg=alg)
                    ok = json.loads(s.payload) == payload
                except Exception as e:  # noqa: BLE001
                    detail = repr(e)
            check("%s: our token verifies in jwcrypto" % alg, ok, detail)

            # jwcrypto signs, we verify.
            jk, pub = jwcrypto_key(alg)
            pubfile = os.path.join(tmp, alg + ".pub.jwk")
            with open(pubfile, "w") as f:
                json.dump({"keys": [pub]}, f)
            s = jws.JWS(body)
            s.add_signature(jk, None, json_encode(
                {"alg": alg, "kid": pub["kid"]}))
            token = s.serialize(compact=True)
            rc, out, err = run(["verify", "--jwks", pubfile],
                               token.encode())
            check("%s: jwcrypto token verifies with oidcctl" % alg,
                  rc == 0 and json.loads(out) == payload, err.decode())

            # The same token, signature tampered: refused, nothing printed.
            head, _, sig = token.rpartition(".")
            bad = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
            rc, out, err = run(["verify", "--jwks", pubfile], bad.encode())
            check("%s: tampered jwcrypto token refused" % alg,
                  rc == 1 and out == b"" and len(err.splitlines()) == 1,
                  "rc=%d" % rc)

            # Only the alg of the key: another alg of the family fails.
            # EdDSA and Ed25519 name the same signature (RFC 9864 2.2), but
            # a key pinned to one name is not used under the other.
            if alg in ("RS256", "HS256", "PS256", "EdDSA", "Ed25519"):
                other = {"RS256": "RS384", "HS256": "HS384",
                         "PS256": "RS256", "EdDSA": "Ed25519",
                         "Ed25519": "EdDSA"}[alg]
                s = jws.JWS(body)
                try:
                    s.add_signature(jk, None, json_encode(
                        {"alg": other, "kid": pub["kid"]}))
                    token = s.serialize(compact=True)
                    rc, out, err = run(["verify", "--jwks", pubfile],
                                       token.encode())
                    check("%s key refuses %s" % (alg, other),
                          rc == 1 and out == b"", "rc=%d" % rc)
                except Exception as e:  # noqa: BLE001
                    check("%s key refuses %s" % (alg, other), False,
                          repr(e))

    print("# %d passed, %d failed, 0 skipped" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
