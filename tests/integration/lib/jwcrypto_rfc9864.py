"""jwcrypto_rfc9864: the fully-specified EdDSA algorithm names of RFC 9864
("Ed25519", "Ed448") for Debian 12's python3-jwcrypto 1.1.0, which knows
only the polymorphic "EdDSA".

Importing this module registers each name as jwcrypto's own EdDSA
implementation (python3-cryptography underneath) restricted to its one
curve, and allows it in jwcrypto's JWS.  Only the JOSE label is ours: the
key handling, signing and verification stay jwcrypto's and cryptography's,
so the checks remain independent of our C code.  A newer jwcrypto that
knows the names already is left alone.
"""
from jwcrypto import jwa, jws

RFC9864_ALGS = ("Ed25519", "Ed448")


def _one_curve(crv):
    def check(key):
        if key.get("kty") != "OKP" or key.get("crv") != crv:
            raise ValueError("%s needs an OKP %s key" % (crv, crv))

    def sign(self, key, payload):
        check(key)
        return jwa._EdDsa.sign(self, key, payload)

    def verify(self, key, payload, signature):
        check(key)
        return jwa._EdDsa.verify(self, key, payload, signature)

    return type("_RFC9864_" + crv, (jwa._EdDsa,), {
        "name": crv, "description": "EdDSA with %s (RFC 9864)" % crv,
        "sign": sign, "verify": verify})


for _crv in RFC9864_ALGS:
    if _crv not in jwa.JWA.algorithms_registry:
        jwa.JWA.algorithms_registry[_crv] = _one_curve(_crv)
    if _crv not in jws.default_allowed_algs:
        jws.default_allowed_algs.append(_crv)
