"""DPoP proofs (RFC 9449 4.2) built independently of the server, with
python3-cryptography: ES256 (P-256) and Ed25519 keys, their public JWK and
RFC 7638 thumbprint."""
import base64
import hashlib
import json
import secrets
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Key:
    """An ES256 key (or Ed25519 with kind="Ed25519")."""

    def __init__(self, kind="ES256"):
        self.kind = kind
        if kind == "ES256":
            self.priv = ec.generate_private_key(ec.SECP256R1())
            n = self.priv.public_key().public_numbers()
            self.jwk = {"kty": "EC", "crv": "P-256",
                        "x": b64(n.x.to_bytes(32, "big")),
                        "y": b64(n.y.to_bytes(32, "big"))}
            self.alg = "ES256"
        else:
            self.priv = ed25519.Ed25519PrivateKey.generate()
            raw = self.priv.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}
            self.alg = "EdDSA"

    def private_jwk(self):
        j = dict(self.jwk)
        if self.kind == "ES256":
            d = self.priv.private_numbers().private_value
            j["d"] = b64(d.to_bytes(32, "big"))
        else:
            j["d"] = b64(self.priv.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                serialization.NoEncryption()))
        return j

    def thumbprint(self):
        req = {k: self.jwk[k] for k in
               (("crv", "kty", "x", "y") if self.kind == "ES256"
                else ("crv", "kty", "x"))}
        canon = json.dumps(req, sort_keys=True, separators=(",", ":"))
        return b64(hashlib.sha256(canon.encode()).digest())

    def sign(self, msg):
        if self.kind == "ES256":
            r, s = decode_dss_signature(
                self.priv.sign(msg, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return self.priv.sign(msg)


def compact(header, claims, signer):
    h = b64(json.dumps(header).encode())
    p = b64(json.dumps(claims).encode())
    sig = signer.sign(f"{h}.{p}".encode()) if signer is not None else b""
    return f"{h}.{p}.{b64(sig)}"


def proof(key, htm, htu, token=None, nonce=None, iat=None, jti=None,
          header=None, claims=None, signer=None):
    """A proof by `key`; header/claims entries override (None deletes)."""
    hdr = {"typ": "dpop+jwt", "alg": key.alg, "jwk": key.jwk}
    c = {"jti": jti or secrets.token_urlsafe(16), "htm": htm, "htu": htu,
         "iat": int(time.time()) if iat is None else iat}
    if token is not None:
        c["ath"] = b64(hashlib.sha256(token.encode()).digest())
    if nonce is not None:
        c["nonce"] = nonce
    for src, dst in ((header or {}, hdr), (claims or {}, c)):
        for k, v in src.items():
            if v is None:
                dst.pop(k, None)
            else:
                dst[k] = v
    return compact(hdr, c, signer or key)
