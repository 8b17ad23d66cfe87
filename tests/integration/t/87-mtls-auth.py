#!/usr/bin/env python3
"""87-mtls-auth: client authentication by TLS certificate (RFC 8705 2;
oidc.conf(5) mtls_client_auth; oidc/tlsauth.h; docs/MTLS.md).

Modelled on 87-mtls.py: a private TLS nginx (the shipped
deploy/nginx/mtls.conf included as is, plus ssl_client_certificate with a
test CA so that $ssl_client_verify is SUCCESS for its certificates and
FAILED for others, which optional_no_ca still lets through) in front of
private token, introspect, revoke, register and discovery workers whose
config adds `mtls_bound_tokens = yes` and `mtls_client_auth = yes`.

  - discovery: the two methods in the token, introspection and
    revocation endpoint lists through the private stack, absent from the
    harness stack (off);
  - tls_client_auth (subject DN "CN=c1,O=Example"): c1 (of the CA)
    authenticates at /token (the token bound to c1), /introspect and
    /revoke; refused with 401 invalid_client: c2 (same CA, another DN), a
    self-signed certificate with c1's DN (chain not verified), no
    certificate, spoofed SSL-Client-Cert/-Verify/-S-DN headers, no
    client_id in the body;
  - tls_client_auth_san_dns (without case), _san_email, _san_uri,
    _san_ip: c3 (subjectAltName of each kind) authenticates, c1 (none)
    does not, nor c3 against another value;
  - self_signed_tls_client_auth (jwks with x5c): its certificate
    authenticates (token bound to it); another self-signed certificate,
    c1, or none: 401 invalid_client;
  - registration (oidcctl, /register): the methods and their members are
    checked (invalid_client_metadata), refused by /register when off;
  - a private lighttpd (mod_openssl, ssl.verifyclient.* with the test CA)
    in front of the same token worker: its SSL_CLIENT_VERIFY and
    SSL_CLIENT_S_DN (its own DN form, "O = Example, CN = c1") work, as
    does a SAN.
"""
import base64
import json
import os
import shutil
import subprocess
import urllib.parse

from oidctest import *
from tlsfront import *
from hardening import (private_dir, private_config, spawn, run_user,
                       check_log)

ROOT = env("OIDC_ROOT", os.getcwd())
RURI = "https://rp.example/cb"


# ---- certificates ------------------------------------------------------------


def make_certs(d):
    make_self_signed(d, "ca")
    make_cert(d, "ca", "server", "/CN=127.0.0.1",
              "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
    for n in ("c1", "c2"):
        make_cert(d, "ca", n, "/O=Example/CN=%s" % n,
                  "extendedKeyUsage=clientAuth")
    make_self_signed(d, "selfie")
    make_cert(d, "ca", "c3", "/O=Example/CN=c3",
              "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:c3.example,"
              "email:c3@example.com,URI:https://c3.example/id,"
              "IP:192.0.2.7")
    make_self_signed(d, "selfie2")
    # Self-signed, with c1's subject DN: not verified by the CA.
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", "fake1.key",
            "-out", "fake1.pem", "-days", "2", "-subj", "/O=Example/CN=c1",
            cwd=d)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)


# ---- the private TLS front end ------------------------------------------------

PARAMS = """
        fastcgi_param GATEWAY_INTERFACE CGI/1.1;
        fastcgi_param REQUEST_METHOD    $request_method;
        fastcgi_param QUERY_STRING      $query_string;
        fastcgi_param CONTENT_TYPE      $content_type;
        fastcgi_param CONTENT_LENGTH    $content_length;
        fastcgi_param REQUEST_URI       $request_uri;
        fastcgi_param DOCUMENT_URI      $document_uri;
        fastcgi_param SCRIPT_NAME       $fastcgi_script_name;
        fastcgi_param REQUEST_SCHEME    $scheme;
        fastcgi_param HTTPS             $https if_not_empty;
        fastcgi_param REMOTE_ADDR       $remote_addr;
        fastcgi_param SERVER_NAME       $server_name;
        fastcgi_param HTTP_PROXY        "";
"""


def nginx_conf(d, port, socks):
    u = run_user()
    return """{user}worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/client_body;
    fastcgi_temp_path {d}/tmp/fastcgi;
    proxy_temp_path {d}/tmp/proxy;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/server.pem;
        ssl_certificate_key {d}/server.key;{params}
        include {root}/deploy/nginx/mtls.conf;
        # tls_client_auth: the CA whose chains give SUCCESS in
        # $ssl_client_verify (docs/MTLS.md); others still pass
        # (optional_no_ca) with FAILED.
        ssl_client_certificate {d}/ca.pem;
        location = /token {{ fastcgi_pass unix:{token}; }}
        location = /introspect {{ fastcgi_pass unix:{introspect}; }}
        location = /revoke {{ fastcgi_pass unix:{revoke}; }}
        location = /register {{ fastcgi_pass unix:{register}; }}
        location = /.well-known/openid-configuration {{
            fastcgi_pass unix:{discovery};
        }}
    }}
}}
""".format(user="user %s;\n" % u if u else "", d=d, port=port,
           root=ROOT, params=PARAMS, token=socks["token"],
           revoke=socks["revoke"], register=socks["register"],
           introspect=socks["introspect"],
           discovery=socks["discovery"])


DN1 = "CN=c1,O=Example"
CC = {"grant_type": "client_credentials"}


def err_of(r):
    return (r.json() or {}).get("error") if r.content_type() == \
        "application/json" else None


def x5c_of(d, name):
    der = openssl("x509", "-in", name + ".pem", "-outform", "DER", cwd=d)
    return base64.b64encode(der).decode()


def jwk_of(d, name):
    """The certificate's P-256 public key as a JWK, with x5c."""
    spki = openssl("x509", "-in", name + ".pem", "-noout", "-pubkey",
                   cwd=d)
    der = openssl("pkey", "-pubin", "-outform", "DER", cwd=d,
                  input=spki)
    pt = der[-65:]

    def b64u(b):
        return base64.urlsafe_b64encode(b).decode().rstrip("=")
    return {"kty": "EC", "crv": "P-256", "x": b64u(pt[1:33]),
            "y": b64u(pt[33:]), "use": "sig", "x5c": [x5c_of(d, name)]}


def meta(label, **m):
    out = {"client_name": unique(label), "redirect_uris": [RURI],
           "grant_types": ["client_credentials"], "response_types": []}
    out.update(m)
    return out


def new_client(label, **m):
    c = create_client(meta(label, **m))
    return c["client_id"], None


RS = []


def cnf_of(fr, token):
    if not RS:
        c = create_client(meta("ma-rs", resource_server=True))
        RS.append((c["client_id"], c["client_secret"]))
    r = fr.introspect(token, RS[0])
    j = r.json() or {}
    return j.get("active"), (j.get("cnf") or {}).get("x5t#S256"), j


def refused(r):
    return r.status == 401 and err_of(r) == "invalid_client"


def form(fr, cert, path, params, headers=None):
    h = [("Content-Type", "application/x-www-form-urlencoded")] + \
        list(headers or [])
    return fr.request(cert, "POST", path, form_encode(params), h)


def part_discovery(fr):
    r = fr.request(None, "GET", "/.well-known/openid-configuration")
    j = r.json() or {}
    both = ("tls_client_auth", "self_signed_tls_client_auth")
    for k in ("token_endpoint_auth_methods_supported",
              "introspection_endpoint_auth_methods_supported",
              "revocation_endpoint_auth_methods_supported"):
        check("discovery (on): %s lists both TLS methods" % k,
              all(m in (j.get(k) or []) for m in both), j.get(k))
    j = get("/.well-known/openid-configuration").json() or {}
    lists = [j.get(k) or [] for k in j if k.endswith("auth_methods_"
                                                    "supported")]
    check("discovery of the harness stack (off): no TLS method",
          j.get("issuer") and lists and
          not any(m in l for l in lists for m in both), j)


def part_tls_client(fr, x1):
    tc = new_client("ma-tls", token_endpoint_auth_method="tls_client_auth",
                    tls_client_auth_subject_dn=DN1)
    r = fr.token("c1", CC, tc)
    j = r.json() or {}
    check("tls_client_auth: c1 (CA-verified, registered DN) gets a token",
          r.status == 200 and j.get("access_token"), r)
    act, x, ij = cnf_of(fr, j.get("access_token", ""))
    check("tls_client_auth: the token is bound to c1 (mtls_bound_tokens)",
          act is True and x == x1, ij)
    for label, cert in (("c2 (another subject DN)", "c2"),
                        ("a self-signed certificate with c1's DN "
                         "(chain not verified)", "fake1"),
                        ("no certificate", None)):
        r = fr.token(cert, CC, tc)
        check("tls_client_auth with %s: 401 invalid_client" % label,
              refused(r), r)
    pem = open(os.path.join(fr.d, "c1.pem")).read()
    r = fr.token(None, CC, tc, headers=[
        ("SSL-Client-Cert", urllib.parse.quote(pem, safe="")),
        ("SSL-Client-Verify", "SUCCESS"), ("SSL-Client-S-DN", DN1)])
    check("tls_client_auth with spoofed SSL-Client-Cert/-Verify/-S-DN "
          "headers and no certificate: 401 invalid_client", refused(r), r)
    r = form(fr, "c1", "/token", CC)
    check("c1 without client_id in the body: 401 invalid_client",
          refused(r), r)
    r = fr.token("c1", CC, tc)
    tok = (r.json() or {}).get("access_token", "")
    r = form(fr, "c1", "/introspect", {"token": tok, "client_id": tc[0]})
    check("/introspect: the tls_client_auth client authenticates with c1",
          r.status == 200 and (r.json() or {}).get("active") is True, r)
    r = form(fr, "c2", "/introspect", {"token": tok, "client_id": tc[0]})
    check("/introspect with c2: 401 invalid_client", refused(r), r)
    r = form(fr, None, "/revoke", {"token": tok, "client_id": tc[0]})
    check("/revoke without a certificate: 401 invalid_client",
          refused(r), r)
    r = form(fr, "c1", "/revoke", {"token": tok, "client_id": tc[0]})
    act, x, ij = cnf_of(fr, tok)
    check("/revoke with c1: 200, the token revoked", r.status == 200 and
          act is False, (r, ij))


def part_san(fr):
    """RFC 8705 2.1.2: the SAN members, against c3's subjectAltName."""
    for member, value, other in (
            ("tls_client_auth_san_dns", "C3.example", "c4.example"),
            ("tls_client_auth_san_email", "c3@example.com",
             "c4@example.com"),
            ("tls_client_auth_san_uri", "https://c3.example/id",
             "https://c3.example/"),
            ("tls_client_auth_san_ip", "192.0.2.7", "192.0.2.8")):
        c = new_client("ma-san", token_endpoint_auth_method="tls_client_auth",
                       **{member: value})
        r = fr.token("c3", CC, c)
        check("%s %s: c3 authenticates" % (member, value), r.status == 200,
              r)
        r = fr.token("c1", CC, c)
        check("%s: c1 (no subjectAltName): 401 invalid_client" % member,
              refused(r), r)
        c = new_client("ma-san", token_endpoint_auth_method="tls_client_auth",
                       **{member: other})
        r = fr.token("c3", CC, c)
        check("%s %s: c3 does not match, 401 invalid_client"
              % (member, other), refused(r), r)


def part_self_signed(fr, xs):
    sc = new_client("ma-self", token_endpoint_auth_method=
                    "self_signed_tls_client_auth",
                    jwks={"keys": [jwk_of(fr.d, "selfie")]})
    r = fr.token("selfie", CC, sc)
    j = r.json() or {}
    act, x, ij = cnf_of(fr, j.get("access_token", ""))
    check("self_signed_tls_client_auth: its registered certificate gets a "
          "token bound to it", r.status == 200 and act is True and x == xs,
          (r, ij))
    for label, cert in (("another self-signed certificate", "selfie2"),
                        ("a CA-verified certificate not registered", "c1"),
                        ("no certificate", None)):
        r = fr.token(cert, CC, sc)
        check("self_signed_tls_client_auth with %s: 401 invalid_client"
              % label, refused(r), r)


def part_registration(fr):
    d = fr.d
    bad = [
        ("tls_client_auth without a tls_client_auth_* member",
         {"token_endpoint_auth_method": "tls_client_auth"}),
        ("tls_client_auth with two members",
         {"token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_subject_dn": DN1,
          "tls_client_auth_san_dns": "c1.example"}),
        ("self_signed_tls_client_auth without jwks",
         {"token_endpoint_auth_method": "self_signed_tls_client_auth"}),
        ("self_signed_tls_client_auth, a jwks key without x5c",
         {"token_endpoint_auth_method": "self_signed_tls_client_auth",
          "jwks": {"keys": [dict(jwk_of(d, "selfie"), x5c=None)]}}),
        ("self_signed_tls_client_auth, x5c not a certificate",
         {"token_endpoint_auth_method": "self_signed_tls_client_auth",
          "jwks": {"keys": [dict(jwk_of(d, "selfie"),
                                 x5c=["AAAA"])]}}),
    ]
    for label, m in bad:
        m = {k: v for k, v in m.items()}
        if "jwks" in m and m["jwks"]["keys"][0].get("x5c") is None:
            del m["jwks"]["keys"][0]["x5c"]
        rc, out, err = ctl("client", "create", stdin=json.dumps(
            meta("ma-bad", **m)))
        check("oidcctl refuses %s" % label, rc != 0, (rc, out, err))
        r = form_json(fr, meta("ma-bad", **m))
        check("/register (on) refuses %s: invalid_client_metadata" % label,
              r.status == 400 and err_of(r) == "invalid_client_metadata", r)
    good = meta("ma-reg", token_endpoint_auth_method="tls_client_auth",
                tls_client_auth_subject_dn=DN1)
    rc, out, err = ctl("client", "create", stdin=json.dumps(good))
    check("oidcctl takes tls_client_auth with a subject DN, prints no "
          "client_secret", rc == 0 and
          "client_secret" not in json.loads(out or "{}"),
          (rc, out, err))
    r = form_json(fr, good)
    j = r.json() or {}
    check("/register (on) takes tls_client_auth with a subject DN, issues "
          "no secret", r.status == 201 and j.get("tls_client_auth_subject_"
                                                "dn") == DN1 and
          "client_secret" not in j, r)
    r = fr.token("c1", CC, (j.get("client_id", ""), None))
    check("the registered client authenticates with c1", r.status == 200,
          r)
    h = [("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN")),
         ("Content-Type", "application/json")]
    r = request("POST", "/register", json.dumps(good), h)
    check("/register of the harness stack (off) refuses tls_client_auth: "
          "invalid_client_metadata", r.status == 400 and
          err_of(r) == "invalid_client_metadata", r)


def form_json(fr, m):
    return fr.request(None, "POST", "/register", json.dumps(m), [
        ("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN")),
        ("Content-Type", "application/json")])


def part_lighttpd(fr, socks):
    """lighttpd's own SSL_CLIENT_VERIFY / SSL_CLIENT_S_DN (docs/MTLS.md)."""
    d = fr.d
    ld = private_dir("mtls-auth-lighttpd")
    for sub in ("htdocs", "log"):
        os.makedirs(os.path.join(ld, sub), exist_ok=True)
    if run_user():
        shutil.chown(os.path.join(ld, "log"), run_user(), run_user())
    port = free_port()
    path = os.path.join(ld, "lighttpd.conf")
    with open(path, "w") as f:
        f.write(lighttpd_conf(d, ld, port, socks))
    lt = subprocess.Popen([LIGHTTPD, "-D", "-f", path],
                          stdin=subprocess.DEVNULL)
    try:
        up = wait_port(port, lt)
        check("lighttpd with mod_openssl listens", up)
        if not up:
            return
        lfr = Front(port, d)
        lt_dn = "O = Example, CN = c1"
        c = new_client("ma-lt", token_endpoint_auth_method="tls_client_auth",
                       tls_client_auth_subject_dn=lt_dn)
        r = lfr.token("c1", CC, c)
        check("lighttpd: tls_client_auth with its subject DN form %r "
              "(docs/MTLS.md): c1 authenticates" % lt_dn, r.status == 200, r)
        r = lfr.token("c2", CC, c)
        check("lighttpd: c2 (another DN): 401 invalid_client", refused(r), r)
        c = new_client("ma-lt", token_endpoint_auth_method="tls_client_auth",
                       tls_client_auth_subject_dn=DN1)
        r = lfr.token("c1", CC, c)
        check("lighttpd: the nginx DN form %r does not match lighttpd's: "
              "401 invalid_client" % DN1, refused(r), r)
        c = new_client("ma-lt", token_endpoint_auth_method="tls_client_auth",
                       tls_client_auth_san_dns="c3.example")
        r1, r2 = lfr.token("c3", CC, c), lfr.token("c1", CC, c)
        check("lighttpd: tls_client_auth_san_dns: c3 authenticates, c1 is "
              "refused", r1.status == 200 and refused(r2), (r1, r2))
    finally:
        stop(lt)


def lighttpd_conf(d, ld, port, socks):
    """docs/MTLS.md's mod_openssl lines, in front of the same workers."""
    u = run_user()
    return """server.modules = ("mod_openssl", "mod_fastcgi")
server.document-root = "{ld}/htdocs"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{ld}/log/lighttpd.pid"
server.errorlog = "{ld}/log/error.log"
{user}fastcgi.server = (
    "/token" => (( "socket" => "{token}", "check-local" => "disable" ))
)
ssl.engine                  = "enable"
ssl.pemfile                 = "{d}/server.pem"
ssl.privkey                 = "{d}/server.key"
ssl.verifyclient.activate   = "enable"
ssl.verifyclient.enforce    = "disable"
ssl.verifyclient.exportcert = "enable"
ssl.verifyclient.ca-file    = "{d}/ca.pem"
""".format(d=d, ld=ld, port=port, token=socks["token"],
           user='server.username = "%s"\nserver.groupname = "%s"\n' % (u, u)
           if u else "")


def main():
    d = private_dir("mtls-auth")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    make_certs(d)
    x1, xs = thumbprint(d, "c1"), thumbprint(d, "selfie")
    conf = private_config("mtls-auth", ["mtls_bound_tokens = yes",
                                        "mtls_client_auth = yes"])
    ws = {}
    for n in ("token", "introspect", "revoke", "register", "discovery"):
        ws[n] = spawn("mtls-auth", n, conf)
        check("a private %s.fcgi with mtls_client_auth = yes runs" % n,
              ws[n].alive(), open(ws[n].log).read()[-1500:])
    port = free_port()
    path = os.path.join(d, "nginx.conf")
    with open(path, "w") as f:
        f.write(nginx_conf(d, port, dict((n, w.sock)
                                         for n, w in ws.items())))
    ng = subprocess.Popen([NGINX, "-p", d, "-e", d + "/error.log", "-c",
                           path, "-g", "daemon off;"],
                          stdin=subprocess.DEVNULL)
    try:
        up = wait_port(port, ng)
        check("the TLS nginx with deploy/nginx/mtls.conf and a client CA "
              "listens", up, open(d + "/error.log").read()[-1500:])
        if not up:
            return
        fr = Front(port, d)
        part_discovery(fr)
        part_tls_client(fr, x1)
        part_san(fr)
        part_self_signed(fr, xs)
        part_registration(fr)
        part_lighttpd(fr, dict((n, w.sock) for n, w in ws.items()))
    finally:
        stop(ng)
        for w in ws.values():
            w.stop()
        for n, w in ws.items():
            check_log(w.log, "private " + n)


main()
done()
