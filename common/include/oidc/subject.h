/*
 * subject.h: the subject identifier a client sees (OpenID Connect Core
 * 1.0 8, OpenID Connect Dynamic Client Registration 1.0 2 and 5).
 *
 * A public client sees the user's local `sub` (app_user.sub) as it is.  A
 * client registered with subject_type "pairwise" sees
 *
 *	base64url(SHA-256(sector || 0x00 || local_sub || 0x00 || salt))
 *
 * (43 characters), where `sector` is the lower-cased host of the client's
 * sector_identifier_uri, else the host its redirect_uris share (client.h
 * enforces one host when there is no sector_identifier_uri), and `salt` is
 * the secret of the pairwise_salt_file key (oidc.conf(5)), read once at
 * start-up into the process context (ctx->pairwise_salt).  Clients of one
 * sector see the same sub; clients of different sectors cannot correlate
 * theirs; without the salt nobody can map one back to the user.
 *
 * Every place a client is shown a subject (ID Tokens, UserInfo,
 * introspection, logout tokens) and every comparison with a subject a
 * client presented (id_token_hint) goes through this module.  A pairwise
 * client in a process without the salt is an error (OIDC_E_CONFIG), never
 * a silent fall-back to the public sub.
 *
 * What it does NOT do: fetch or validate sector_identifier_uri (the
 * registration endpoint does, register.c), store pairwise subs (they are
 * recomputed; the salt must therefore never change).
 *
 * Limits:
 *   OIDC_SUBJECT_SALT_MIN	32 bytes of salt (64 hex digits)
 *   OIDC_SUBJECT_SALT_FILE_MAX	4096 bytes of salt file
 *   OIDC_SUBJECT_MAX_SECTOR	255 bytes of sector host
 */
#ifndef OIDC_SUBJECT_H
#define OIDC_SUBJECT_H

#include "oidc/cdefs.h"
#include "oidc/error.h"
#include "oidc/str.h"

#define OIDC_SUBJECT_SALT_MIN		32
#define OIDC_SUBJECT_SALT_FILE_MAX	4096
#define OIDC_SUBJECT_MAX_SECTOR		255

struct oidc_arena;
struct oidc_client;
struct oidc_ctx;
struct oidc_json;

/*
 * Decode the salt file's contents buf[0..len) into out (at least len
 * bytes): when the file is only hexadecimal digits (an even number of
 * them, optionally followed by white space) they are decoded, otherwise
 * the bytes are taken as they are.  Either way at least
 * OIDC_SUBJECT_SALT_MIN bytes must result.  0, or -1 with OIDC_E_CONFIG.
 */
OIDC_MUST_CHECK int	oidc_subject_salt_parse(const char *buf, size_t len,
			    unsigned char *out, size_t *outlen,
			    struct oidc_error *);

/*
 * Read the salt file at `path` into an arena-owned buffer (a regular file
 * that other users may neither read nor write).  OIDC_E_IO, OIDC_E_CONFIG.
 */
OIDC_MUST_CHECK int	oidc_subject_salt_load(struct oidc_arena *,
			    const char *path, unsigned char **salt,
			    size_t *len, struct oidc_error *);

/*
 * The host of an http(s) URI as oidc_url_parse() splits it (no userinfo,
 * no port; an IPv6 literal keeps its brackets), pointing into `uri`, not
 * lower-cased.  -1 when the URI has no host (private-use schemes), does
 * not parse, or its host is longer than OIDC_SUBJECT_MAX_SECTOR.
 */
int	oidc_subject_uri_host(struct oidc_str uri, struct oidc_str *host);

/*
 * The sector of a client from its normalised metadata: 1 pairwise (sector
 * set, arena-owned, lower-cased), 0 public, -1 (OIDC_E_INTERNAL) when a
 * pairwise client has no usable host.
 */
OIDC_MUST_CHECK int	oidc_subject_sector(struct oidc_arena *,
			    const struct oidc_json *metadata,
			    struct oidc_str *sector, struct oidc_error *);

/* The pairwise sub above, arena-owned.  0 or -1. */
OIDC_MUST_CHECK int	oidc_subject_pairwise(struct oidc_arena *,
			    const unsigned char *salt, size_t saltlen,
			    struct oidc_str sector, struct oidc_str local_sub,
			    struct oidc_str *out, struct oidc_error *);

/* The sub the client with this metadata sees for local_sub.  0 or -1. */
OIDC_MUST_CHECK int	oidc_subject_for_metadata(struct oidc_ctx *,
			    const struct oidc_json *metadata,
			    struct oidc_str local_sub, struct oidc_str *out,
			    struct oidc_error *);

/* The same for a loaded client. */
OIDC_MUST_CHECK int	oidc_subject_for_client(struct oidc_ctx *,
			    const struct oidc_client *,
			    struct oidc_str local_sub, struct oidc_str *out,
			    struct oidc_error *);

/*
 * Does hint_sub, the sub of an id_token_hint issued to the clients in
 * aud[0..naud), name the user whose local sub is local_sub?  Each audience
 * is loaded (`known`, when not NULL, is used instead of loading its own
 * id) and local_sub mapped through it; an unknown audience compares the
 * local sub itself.  1 yes, 0 no, -1 error.
 */
OIDC_MUST_CHECK int	oidc_subject_hint_matches(struct oidc_ctx *,
			    const struct oidc_client *known,
			    const struct oidc_str *aud, size_t naud,
			    struct oidc_str hint_sub, struct oidc_str local_sub,
			    struct oidc_error *);

#endif /* OIDC_SUBJECT_H */
