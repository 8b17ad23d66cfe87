/*
 * secretfile.h: reading a small secret from a file (the key-encryption key,
 * the pairwise salt), with the checks such files need: a regular file,
 * neither readable nor writable by others, at most bufsz - 1 bytes.  The
 * caller parses and then wipes the buffer.
 */
#ifndef OIDC_SECRETFILE_H
#define OIDC_SECRETFILE_H

#include "oidc/cdefs.h"
#include "oidc/error.h"

/*
 * Read `path` (named `what` in messages, e.g. the config key) into
 * buf[0..bufsz); *got is the length.  0, or -1 with OIDC_E_IO (cannot
 * open or read) or OIDC_E_CONFIG (not a regular file, readable or writable
 * by others, too large).  On failure buf is wiped.
 */
OIDC_MUST_CHECK int	oidc_secret_file_read(const char *what,
			    const char *path, char *buf, size_t bufsz,
			    size_t *got, struct oidc_error *);

#endif /* OIDC_SECRETFILE_H */
