#!/usr/bin/env python3
"""87-mtls: certificate-bound access tokens (RFC 8705 3, 4; issue 21 item
6; oidc.conf(5) mtls_bound_tokens; oidc/mtls.h; docs/MTLS.md).

A private TLS nginx (ssl_verify_client optional_no_ca and the
SSL_CLIENT_CERT line of the shipped deploy/nginx/mtls.conf, included as
is) in front of private token, userinfo, introspect and discovery workers
whose config adds `mtls_bound_tokens = yes`.  Client certificates are
made here with openssl: two from a test CA, one self-signed (no PKI).
Thumbprints are computed independently: `openssl x509 -outform DER`,
then hashlib.sha256 and base64url.

  - discovery: tls_client_certificate_bound_access_tokens true through the
    private stack, absent from the harness stack (off);
  - client_credentials with a certificate: token_type Bearer, introspection
    cnf["x5t#S256"] = the certificate's thumbprint; a self-signed one too;
    without a certificate: unbound; a client "SSL-Client-Cert:" header
    without a TLS certificate is ignored; SSL_CLIENT_CERT sent twice
    counts as absent;
  - a JWT access token (client metadata access_token_format jwt) carries
    cnf.x5t#S256;
  - a code redeemed with a certificate: UserInfo 200 with the same
    certificate, 401 invalid_token with another, with none, and at the
    harness stack (no certificate forwarded); a confidential client's
    refresh token stays unbound;
  - a public client: its refresh token is bound too; refreshing it with
    another certificate or none is invalid_grant, with the same one gives a
    bound access token;
  - a client with tls_client_certificate_bound_access_tokens true: refused
    (invalid_request) without a certificate, bound with one; the member
    must be a boolean (oidcctl and /register);
  - a DPoP proof (lib/dpop.py) with a certificate: DPoP-bound only;
  - a FAPI 2.0 client: a certificate without DPoP meets the profile's
    sender-constraint rule, neither is invalid_dpop_proof;
  - a private lighttpd (docs/MTLS.md's mod_openssl lines, PEM
    SSL_CLIENT_CERT) in front of the same workers: a certificate of its CA
    binds, UserInfo follows; one it cannot verify is not exported.
"""
import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.parse

from oidctest import *
from tlsfront import *
from grants import insert_code, jwt_parts
import dpop
from hardening import (private_dir, private_config, spawn, run_user,
                       check_log)

ROOT = env("OIDC_ROOT", os.getcwd())
RURI = "https://rp.example/cb"
USER = unique("mt-user")
create_user(USER, "pw-" + unique("x"), {"name": "M. Tls"})


# ---- certificates ------------------------------------------------------------


def make_certs(d):
    make_self_signed(d, "ca")
    make_cert(d, "ca", "server", "/CN=127.0.0.1",
              "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
    for n in ("c1", "c2"):
        make_cert(d, "ca", n, "/O=Example/CN=%s" % n,
                  "extendedKeyUsage=clientAuth")
    make_self_signed(d, "selfie")
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
        location = /token {{ fastcgi_pass unix:{token}; }}
        location = /userinfo {{ fastcgi_pass unix:{userinfo}; }}
        location = /introspect {{ fastcgi_pass unix:{introspect}; }}
        location = /.well-known/openid-configuration {{
            fastcgi_pass unix:{discovery};
        }}
        # SSL_CLIENT_CERT given twice: counts as absent.
        location = /dup/token {{{dparams}
            fastcgi_param SSL_CLIENT_CERT $ssl_client_escaped_cert;
            fastcgi_param SSL_CLIENT_CERT $ssl_client_escaped_cert;
            fastcgi_pass unix:{token};
        }}
    }}
}}
""".format(user="user %s;\n" % u if u else "", d=d, port=port,
           root=ROOT, params=PARAMS, token=socks["token"],
           userinfo=socks["userinfo"], introspect=socks["introspect"],
           discovery=socks["discovery"],
           dparams=PARAMS.replace("$document_uri", "/token"))


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
    "/token" => (( "socket" => "{token}", "check-local" => "disable" )),
    "/userinfo" => (( "socket" => "{userinfo}", "check-local" => "disable" ))
)
ssl.engine                  = "enable"
ssl.pemfile                 = "{d}/server.pem"
ssl.privkey                 = "{d}/server.key"
ssl.verifyclient.activate   = "enable"
ssl.verifyclient.enforce    = "disable"
ssl.verifyclient.exportcert = "enable"
ssl.verifyclient.ca-file    = "{d}/ca.pem"
""".format(d=d, ld=ld, port=port, token=socks["token"],
           userinfo=socks["userinfo"],
           user='server.username = "%s"\nserver.groupname = "%s"\n' % (u, u)
           if u else "")


def part_lighttpd(fr, d, socks, x1):
    """lighttpd's SSL_CLIENT_CERT (PEM) binds as nginx's does."""
    ld = private_dir("mtls-lighttpd")
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
        check("lighttpd: mod_openssl with ssl.verifyclient.exportcert "
              "listens", up)
        if not up:
            return
        lfr = Front(port, d)
        conf = new_client("mt-lt")
        r = lfr.token("c1", CC, conf)
        act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""),
                            conf)
        check("lighttpd: a certificate of its CA binds the token (PEM "
              "SSL_CLIENT_CERT)", r.status == 200 and act is True and
              x == x1, (r, ij))
        r = lfr.token("c1", code_params(conf), conf)
        at = (r.json() or {}).get("access_token", "")
        r1, r2 = lfr.userinfo("c1", at), lfr.userinfo("c2", at)
        check("lighttpd: UserInfo 200 with the same certificate, 401 "
              "invalid_token with another", r1.status == 200 and
              r2.status == 401 and "invalid_token" in
              (r2.header("WWW-Authenticate") or ""), (r1, r2))
        r = lfr.token("selfie", CC, conf)
        act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""),
                            conf)
        check("lighttpd: a certificate it cannot verify is not exported: "
              "unbound (docs/MTLS.md)", r.status == 200 and act is True and
              "cnf" not in ij, (r, ij))
    finally:
        stop(lt)


def new_client(label, public=False, **meta):
    m = {"client_name": label, "redirect_uris": [RURI],
         "grant_types": ["authorization_code", "refresh_token",
                         "client_credentials"]}
    if public:
        m["token_endpoint_auth_method"] = "none"
        m["grant_types"] = ["authorization_code", "refresh_token"]
    m.update(meta)
    c = create_client(m)
    return c["client_id"], c.get("client_secret")


def err_of(r):
    return (r.json() or {}).get("error") if r.content_type() == \
        "application/json" else None


RS = []


def cnf_of(fr, token, client):
    """Introspection by a resource server client (any client's token)."""
    if not RS:
        RS.append(new_client("mt-rs", resource_server=True))
    r = fr.introspect(token, RS[0])
    j = r.json() or {}
    return j.get("active"), (j.get("cnf") or {}).get("x5t#S256"), j


def code_params(client, scope="openid profile offline_access"):
    code = insert_code(client[0], USER, RURI, scope=scope)
    return {"grant_type": "authorization_code", "code": code,
            "redirect_uri": RURI}


CC = {"grant_type": "client_credentials"}


def part_tokens(fr, x1, x2, xs):
    conf = new_client("mt-conf")
    r = fr.token("c1", CC, conf)
    j = r.json() or {}
    check("client_credentials with a certificate: 200, token_type Bearer",
          r.status == 200 and j.get("token_type") == "Bearer", r)
    act, x, ij = cnf_of(fr, j.get("access_token", ""), conf)
    check("introspection: cnf x5t#S256 is the certificate's SHA-256 "
          "(computed with openssl and hashlib)", act is True and x == x1, ij)
    r = fr.token("selfie", CC, conf)
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("a self-signed certificate binds too (no PKI)",
          r.status == 200 and act is True and x == xs, (r, ij))
    r = fr.token(None, CC, conf)
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("no certificate: an unbound token (no cnf)",
          r.status == 200 and act is True and "cnf" not in ij, (r, ij))
    pem = open(os.path.join(fr.d, "c1.pem")).read()
    r = fr.token(None, CC, conf, headers=[
        ("SSL-Client-Cert", urllib.parse.quote(pem, safe=""))])
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("an \"SSL-Client-Cert:\" header without a TLS certificate is "
          "ignored (unbound)", r.status == 200 and act is True and
          "cnf" not in ij, (r, ij))
    r = fr.token("c1", CC, conf, path="/dup/token")
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("SSL_CLIENT_CERT sent twice counts as absent (unbound)",
          r.status == 200 and act is True and "cnf" not in ij, (r, ij))

    jw = new_client("mt-jwt", access_token_format="jwt")
    r = fr.token("c1", CC, jw)
    tok = (r.json() or {}).get("access_token", "")
    try:
        payload = jwt_parts(tok)[1]
    except Exception as e:
        payload = {"error": str(e)}
    check("a JWT access token carries cnf.x5t#S256", r.status == 200 and
          (payload.get("cnf") or {}).get("x5t#S256") == x1, (r, payload))

    # A code flow: UserInfo needs the same certificate.
    r = fr.token("c1", code_params(conf), conf)
    j = r.json() or {}
    at, rt = j.get("access_token", ""), j.get("refresh_token", "")
    check("a code redeemed with a certificate: Bearer, a refresh token",
          r.status == 200 and j.get("token_type") == "Bearer" and rt, r)
    act, x, ij = cnf_of(fr, at, conf)
    check("the code's access token is bound (introspection)",
          act is True and x == x1, ij)
    act, x, ij = cnf_of(fr, rt, conf)
    check("a confidential client's refresh token is not bound",
          act is True and "cnf" not in ij, ij)
    r = fr.userinfo("c1", at)
    check("UserInfo with the same certificate: 200", r.status == 200 and
          (r.json() or {}).get("name") == "M. Tls", r)
    for label, cert in (("another certificate", "c2"), ("none", None)):
        r = fr.userinfo(cert, at)
        check("UserInfo with %s: 401 invalid_token" % label,
              r.status == 401 and
              "invalid_token" in (r.header("WWW-Authenticate") or ""), r)
    r = get("/userinfo", headers={"Authorization": "Bearer " + at})
    check("UserInfo of the harness stack (no certificate forwarded): 401 "
          "invalid_token", r.status == 401 and
          "invalid_token" in (r.header("WWW-Authenticate") or ""), r)
    r = fr.token("c2", {"grant_type": "refresh_token",
                        "refresh_token": rt}, conf)
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("a confidential client refreshes with another certificate: the new "
          "access token is bound to that one", r.status == 200 and
          act is True and x == x2, (r, ij))
    return conf


def part_public(fr, x1, conf):
    pub = new_client("mt-pub", public=True)
    r = fr.token("c1", code_params(pub), pub)
    j = r.json() or {}
    rt = j.get("refresh_token", "")
    bound = psql("SELECT x5t_s256 FROM token WHERE kind = 'refresh' AND "
                 "client_id = '%s'" % pub[0])
    check("a public client's refresh token is bound too (RFC 8705 4)",
          r.status == 200 and rt and bound == x1, (r, bound))
    for label, cert in (("another certificate", "c2"), ("none", None)):
        r = fr.token(cert, {"grant_type": "refresh_token",
                            "refresh_token": rt}, pub)
        check("refreshing it with %s: invalid_grant" % label,
              r.status == 400 and err_of(r) == "invalid_grant", r)
    r = fr.token("c1", {"grant_type": "refresh_token",
                        "refresh_token": rt}, pub)
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), conf)
    check("refreshing it with the same certificate: 200, a bound access "
          "token", r.status == 200 and act is True and x == x1, (r, ij))


def part_dpop(fr, x1):
    """A DPoP proof and a certificate: DPoP binds alone (docs/MTLS.md)."""
    conf = new_client("mt-dpop")
    key = dpop.Key()
    nonce = [None]

    def call():
        return fr.token("c1", CC, conf, headers=[("DPoP", dpop.proof(
            key, "POST", ISSUER + "/token", nonce=nonce[0]))])
    r = call()
    if err_of(r) == "use_dpop_nonce":
        nonce[0] = r.header("DPoP-Nonce")
        r = call()
    j = r.json() or {}
    act, x, ij = cnf_of(fr, j.get("access_token", ""), conf)
    check("a DPoP proof and a certificate: token_type DPoP, cnf.jkt only",
          r.status == 200 and j.get("token_type") == "DPoP" and
          act is True and x is None and
          (ij.get("cnf") or {}).get("jkt") == key.thumbprint(), (r, ij))
    req = new_client("mt-dpop-req",
                     tls_client_certificate_bound_access_tokens=True)
    r = fr.token(None, CC, req, headers=[("DPoP", dpop.proof(
        key, "POST", ISSUER + "/token", nonce=nonce[0]))])
    check("a client with tls_client_certificate_bound_access_tokens: a DPoP "
          "proof without a certificate is still invalid_request",
          r.status == 400 and err_of(r) == "invalid_request", r)


def part_fapi(fr, x1):
    """FAPI 2.0 (client "profile": "fapi2"): a certificate-bound token
    request is sender-constrained as a DPoP one is (docs/FAPI2.md)."""
    ckey, kid = dpop.Key(), unique("mt-kid")
    c = create_client({
        "redirect_uris": [RURI], "response_types": ["code"],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [dict(ckey.jwk, kid=kid, alg="ES256",
                               use="sig")]},
        "id_token_signed_response_alg": "ES256", "profile": "fapi2",
        "client_name": unique("mt-fapi2")})
    cid = c["client_id"]

    def attempt(cert):
        verifier = secrets.token_urlsafe(48)
        chal = base64.urlsafe_b64encode(hashlib.sha256(
            verifier.encode()).digest()).decode().rstrip("=")
        code = insert_code(cid, USER, RURI, scope="openid",
                           challenge=chal, expires="50 seconds")
        now = int(time.time())
        assertion = dpop.compact(
            {"alg": "ES256", "typ": "JWT", "kid": kid},
            {"iss": cid, "sub": cid, "aud": ISSUER, "iat": now,
             "exp": now + 60, "jti": secrets.token_urlsafe(16)}, ckey)
        return fr.token(cert, {
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": RURI, "code_verifier": verifier,
            "client_id": cid, "client_assertion": assertion,
            "client_assertion_type":
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            (cid, None))
    r = attempt(None)
    check("FAPI 2.0 client, neither DPoP nor certificate: "
          "invalid_dpop_proof", r.status == 400 and
          err_of(r) == "invalid_dpop_proof", r)
    r = attempt("c1")
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), None)
    check("FAPI 2.0 client with a certificate and no DPoP proof: 200, a "
          "certificate-bound token", r.status == 200 and act is True and
          x == x1, (r, ij))


def part_client_flag(fr, x1):
    req = new_client("mt-req", tls_client_certificate_bound_access_tokens=True)
    shown = json.loads(ctl("client", "show", req[0])[1])
    check("oidcctl keeps tls_client_certificate_bound_access_tokens",
          shown.get("tls_client_certificate_bound_access_tokens") is True,
          shown)
    r = fr.token(None, CC, req)
    check("its token request without a certificate: invalid_request",
          r.status == 400 and err_of(r) == "invalid_request", r)
    r = fr.token("c1", CC, req)
    act, x, ij = cnf_of(fr, (r.json() or {}).get("access_token", ""), req)
    check("with a certificate: a bound token", r.status == 200 and
          act is True and x == x1, (r, ij))
    rc, out, err = ctl("client", "create", stdin=json.dumps({
        "redirect_uris": [RURI],
        "tls_client_certificate_bound_access_tokens": "yes"}))
    check("oidcctl: a non-boolean tls_client_certificate_bound_access_tokens "
          "is refused", rc != 0, (rc, out, err))
    if have_endpoint("register"):
        h = [("Authorization", "Bearer " + env("OIDC_REG_INITIAL_TOKEN")),
             ("Content-Type", "application/json")]
        r = request("POST", "/register", json.dumps({
            "redirect_uris": [RURI],
            "tls_client_certificate_bound_access_tokens": "yes"}), h)
        check("/register: a non-boolean member is invalid_client_metadata",
              r.status == 400 and err_of(r) == "invalid_client_metadata", r)
        r = request("POST", "/register", json.dumps({
            "redirect_uris": [RURI],
            "tls_client_certificate_bound_access_tokens": True}), h)
        check("/register keeps tls_client_certificate_bound_access_tokens",
              r.status == 201 and (r.json() or {}).get(
                  "tls_client_certificate_bound_access_tokens") is True, r)


def main():
    d = private_dir("mtls-nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    make_certs(d)
    x1, x2, xs = thumbprint(d, "c1"), thumbprint(d, "c2"), \
        thumbprint(d, "selfie")
    conf = private_config("mtls-nginx", ["mtls_bound_tokens = yes"])
    ws = {}
    for n in ("token", "userinfo", "introspect", "discovery"):
        ws[n] = spawn("mtls-nginx", n, conf)
        check("a private %s.fcgi with mtls_bound_tokens = yes runs" % n,
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
        check("the TLS nginx with deploy/nginx/mtls.conf listens", up,
              open(d + "/error.log").read()[-1500:])
        if not up:
            return
        fr = Front(port, d)
        r = fr.request(None, "GET", "/.well-known/openid-configuration")
        check("discovery (on): tls_client_certificate_bound_access_tokens "
              "true", (r.json() or {}).get(
                  "tls_client_certificate_bound_access_tokens") is True, r)
        j = get("/.well-known/openid-configuration").json() or {}
        check("discovery of the harness stack (off): no "
              "tls_client_certificate_bound_access_tokens",
              j.get("issuer") and
              "tls_client_certificate_bound_access_tokens" not in j, j)
        conf_client = part_tokens(fr, x1, x2, xs)
        part_public(fr, x1, conf_client)
        part_client_flag(fr, x1)
        part_dpop(fr, x1)
        part_fapi(fr, x1)
        part_lighttpd(fr, d, dict((n, w.sock) for n, w in ws.items()), x1)
    finally:
        stop(ng)
        for w in ws.values():
            w.stop()
        for n, w in ws.items():
            check_log(w.log, "private " + n)


main()
done()
