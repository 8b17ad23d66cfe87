/*
 * test_seal.c: AES-256-GCM sealing of secrets at rest and the KEK file
 * (common/crypto/seal.c).
 *
 * Threats covered: a blob changed anywhere (version byte, nonce,
 * ciphertext, tag), truncated or extended, opened with another key or
 * moved to another row (other associated data) must not open, and a
 * failed open must never hand back plaintext.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/seal.h"

#include "tap.h"

static const unsigned char key1[OIDC_SEAL_KEY_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};

static const char pem[] = "-----BEGIN PRIVATE KEY-----\n"
    "not really a key, but secret bytes all the same\n"
    "-----END PRIVATE KEY-----\n";
static const char aad[] = "kid-1\nES256";

static int
try_open(struct oidc_arena *a, const unsigned char *key, const char *ad,
    const unsigned char *blob, size_t len)
{
	struct oidc_error	 err = { 0 };
	unsigned char		*pt = (unsigned char *)"x";
	size_t			 ptlen = 99;
	int			 rc;

	rc = oidc_seal_open(a, key, ad, strlen(ad), blob, len, &pt, &ptlen,
	    &err);
	if (rc == -1 && (pt != NULL || ptlen != 0))
		return -2;	/* a failure leaked output */
	if (rc == -1 && err.code != OIDC_E_CRYPTO && err.code != OIDC_E_LIMIT)
		return -3;
	return rc;
}

static void
test_round_trip(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	unsigned char		*blob, *blob2, *pt;
	size_t			 len, len2, ptlen;

	ok(oidc_seal(a, key1, aad, strlen(aad), pem, strlen(pem), &blob, &len,
	    &err) == 0, "seal a PEM");
	is_int((long long)len, (long long)(strlen(pem) + OIDC_SEAL_OVERHEAD),
	    "sealed length is plaintext + 29");
	is_int(blob[0], OIDC_SEAL_VERSION, "version byte first");
	ok(memmem(blob, len, "secret bytes", 12) == NULL,
	    "the plaintext does not appear in the blob");
	ok(oidc_seal_open(a, key1, aad, strlen(aad), blob, len, &pt, &ptlen,
	    &err) == 0, "open with the same key and aad");
	is_mem(pt, ptlen, pem, strlen(pem), "round trip gives the plaintext");
	is_int(pt[ptlen], 0, "plaintext is NUL-terminated");

	ok(oidc_seal(a, key1, aad, strlen(aad), pem, strlen(pem), &blob2,
	    &len2, &err) == 0 && len2 == len &&
	    memcmp(blob + 1, blob2 + 1, OIDC_SEAL_NONCE_LEN) != 0,
	    "two seals of one plaintext use different nonces");

	ok(oidc_seal(a, key1, NULL, 0, "", 0, &blob, &len, &err) == 0 &&
	    len == OIDC_SEAL_OVERHEAD, "seal an empty plaintext, no aad");
	ok(oidc_seal_open(a, key1, NULL, 0, blob, len, &pt, &ptlen, &err) ==
	    0 && ptlen == 0, "open an empty plaintext");
}

static void
test_tamper(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	unsigned char		*blob, *copy, key2[OIDC_SEAL_KEY_LEN];
	size_t			 len, i;
	int			 bad = 0;

	if (oidc_seal(a, key1, aad, strlen(aad), pem, strlen(pem), &blob, &len,
	    &err) == -1) {
		ok(0, "seal for the tamper tests");
		return;
	}
	copy = malloc(len + 1);
	/* Flip one bit in every byte position in turn: none may open. */
	for (i = 0; i < len; i++) {
		memcpy(copy, blob, len);
		copy[i] ^= 0x01;
		if (try_open(a, key1, aad, copy, len) != -1)
			bad++;
	}
	is_int(bad, 0, "a flipped bit anywhere (version, nonce, ciphertext, "
	    "tag) fails to open");
	memcpy(copy, blob, len);
	copy[0] = 2;
	is_int(try_open(a, key1, aad, copy, len), -1, "version 2 refused");
	is_int(try_open(a, key1, aad, blob, len - 1), -1,
	    "truncated tag refused");
	is_int(try_open(a, key1, aad, blob, OIDC_SEAL_OVERHEAD - 1), -1,
	    "shorter than the overhead refused");
	is_int(try_open(a, key1, aad, blob, 0), -1, "empty blob refused");
	memcpy(copy, blob, len);
	copy[len] = 0;
	is_int(try_open(a, key1, aad, copy, len + 1), -1,
	    "a byte appended refused");

	memcpy(key2, key1, sizeof(key2));
	key2[31] ^= 0x80;
	is_int(try_open(a, key2, aad, blob, len), -1, "wrong key refused");
	is_int(try_open(a, key1, "kid-2\nES256", blob, len), -1,
	    "other associated data (another row) refused");
	is_int(try_open(a, key1, "", blob, len), -1,
	    "missing associated data refused");
	is_int(try_open(a, key1, aad, blob, len), 0,
	    "the untouched blob still opens");
	free(copy);
}

static void
test_limits(struct oidc_arena *a)
{
	struct oidc_error	 err = { 0 };
	unsigned char		*blob;
	char			*big;
	size_t			 len;

	big = calloc(1, OIDC_SEAL_MAX_LEN + 1);
	ok(oidc_seal(a, key1, NULL, 0, big, OIDC_SEAL_MAX_LEN, &blob, &len,
	    &err) == 0, "seal at OIDC_SEAL_MAX_LEN");
	ok(oidc_seal(a, key1, NULL, 0, big, OIDC_SEAL_MAX_LEN + 1, &blob, &len,
	    &err) == -1 && err.code == OIDC_E_LIMIT,
	    "seal at OIDC_SEAL_MAX_LEN + 1: OIDC_E_LIMIT");
	oidc_error_clear(&err);
	ok(oidc_seal(a, key1, big, OIDC_SEAL_MAX_AAD + 1, "x", 1, &blob, &len,
	    &err) == -1 && err.code == OIDC_E_LIMIT,
	    "aad over OIDC_SEAL_MAX_AAD: OIDC_E_LIMIT");
	free(big);
}

static int
write_file(const char *path, const char *s, mode_t mode)
{
	int	 fd;
	ssize_t	 n;

	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	(void)chmod(path, mode);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static void
test_key_file(void)
{
	static const char hex[] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
	struct oidc_error	 err = { 0 };
	unsigned char		 k[OIDC_SEAL_KEY_LEN];
	char			 path[] = "/tmp/oidc-test-kek.XXXXXX", buf[80];
	int			 fd;

	ok(oidc_seal_key_parse(hex, 64, k, &err) == 0 &&
	    memcmp(k, key1, sizeof(k)) == 0, "64 hex digits parse (any case)");
	(void)snprintf(buf, sizeof(buf), "%s\n", hex);
	ok(oidc_seal_key_parse(buf, 65, k, &err) == 0,
	    "a trailing newline is allowed");
	oidc_error_clear(&err);
	ok(oidc_seal_key_parse(hex, 63, k, &err) == -1 &&
	    err.code == OIDC_E_CONFIG, "63 digits refused");
	oidc_error_clear(&err);
	(void)snprintf(buf, sizeof(buf), "%s00", hex);
	ok(oidc_seal_key_parse(buf, 66, k, &err) == -1,
	    "66 digits refused");
	oidc_error_clear(&err);
	(void)snprintf(buf, sizeof(buf), "%s", hex);
	buf[10] = 'g';
	ok(oidc_seal_key_parse(buf, 64, k, &err) == -1,
	    "a non-hex digit refused");
	oidc_error_clear(&err);

	if ((fd = mkstemp(path)) == -1) {
		ok(0, "mkstemp");
		return;
	}
	close(fd);
	(void)snprintf(buf, sizeof(buf), "%s\n", hex);
	ok(write_file(path, buf, 0600) == 0 &&
	    oidc_seal_key_load(path, k, &err) == 0 &&
	    memcmp(k, key1, sizeof(k)) == 0, "load a 0600 key file");
	oidc_error_clear(&err);
	(void)write_file(path, buf, 0644);
	ok(oidc_seal_key_load(path, k, &err) == -1 &&
	    err.code == OIDC_E_CONFIG, "a world-readable key file is refused");
	oidc_error_clear(&err);
	(void)unlink(path);
	ok(oidc_seal_key_load(path, k, &err) == -1 && err.code == OIDC_E_IO,
	    "a missing key file is OIDC_E_IO");
}

int
main(void)
{
	struct oidc_arena	*a = oidc_arena_new(4096, 1 << 22);

	test_round_trip(a);
	test_tamper(a);
	test_limits(a);
	test_key_file();
	oidc_arena_free(a);
	return done_testing();
}
