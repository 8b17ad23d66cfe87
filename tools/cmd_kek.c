/*
 * cmd_kek.c: `oidcctl kek create [--group GROUP] FILE`: a new
 * key-encryption key file (oidc.conf(5) key_encryption_key) that the
 * workers can read and nobody else can.
 *
 * The file gets 64 random hex digits and a newline, owner the invoking
 * user (root, under sudo), group GROUP or else the group of the directory
 * it is made in (/etc/oidc-fcgi/keys is root:oidc 0750 in deploy/README.md
 * section 2), mode 0640: the workers read it through their group, the
 * loader refuses any file other users may read.  An existing file is never
 * replaced: a lost KEK loses every sealed private key and client secret
 * (docs/BACKUP.md).  Neither the configuration nor the database is read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc/arena.h"
#include "oidc/crypto.h"
#include "oidc/json.h"
#include "oidc/seal.h"
#include "oidcctl.h"
#include "oidcctl_int.h"

#define KEK_MODE	0640

static int
usage(int rc)
{
	printf("usage: oidcctl kek create [--group GROUP] FILE\n\n"
	    "Write a new key-encryption key (key_encryption_key in oidc.conf):\n"
	    "64 random hex digits, owner the invoking user, group GROUP (else\n"
	    "the group of FILE's directory), mode 0640, so that the workers\n"
	    "read it through their group.  An existing FILE is never "
	    "replaced.\n"
	    "Running workers read the key at start-up only: restart them "
	    "after\nsetting or changing key_encryption_key.\n"
	    "exit: 0 ok, 1 failure, 2 usage, 3 unknown group, 4 FILE exists\n");
	return rc;
}

/* The group GROUP names, or the group of path's directory.  -1: none. */
static int
kek_group(const char *group, const char *path, gid_t *gid)
{
	struct group	*gr;
	struct stat	 st;
	char		*copy;
	int		 rc;

	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL)
			return -1;
		*gid = gr->gr_gid;
		return 0;
	}
	if ((copy = strdup(path)) == NULL)
		return -1;
	rc = stat(dirname(copy), &st);
	free(copy);
	if (rc == -1)
		return -1;
	*gid = st.st_gid;
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* {"file": PATH, "gid": N, "mode": "0640"} on stdout.  0 or -1. */
static int
print_result(const char *path, gid_t gid)
{
	struct oidc_error	 err = { 0 };
	struct oidc_arena	*a;
	struct oidc_json	*j;
	int			 rc = -1;

	if ((a = oidc_arena_new(1024, 1 << 16)) == NULL)
		return -1;
	if ((j = oidc_json_new_object(a)) != NULL &&
	    oidc_json_set_cstr(j, "file", path, &err) == 0 &&
	    oidc_json_set_i64(j, "gid", (int64_t)gid, &err) == 0 &&
	    oidc_json_set_cstr(j, "mode", "0640", &err) == 0)
		rc = oidcctl_print_json(a, j);
	oidc_arena_free(a);
	return rc;
}

static int
kek_create(const char *group, const char *path)
{
	static const char	 hexd[] = "0123456789abcdef";
	struct oidc_error	 err = { 0 };
	unsigned char		 raw[OIDC_SEAL_KEY_LEN];
	char			 text[2 * OIDC_SEAL_KEY_LEN + 1];
	gid_t			 gid;
	size_t			 i;
	int			 fd, rc = OIDCCTL_FAIL;

	if (kek_group(group, path, &gid) == -1) {
		fprintf(stderr, "oidcctl: kek create: %s: %s\n",
		    group != NULL ? group : path, group != NULL ?
		    "no such group" : strerror(errno));
		return group != NULL ? OIDCCTL_NOT_FOUND : OIDCCTL_FAIL;
	}
	/* Created 0600 and only then given its group: never readable early. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "oidcctl: kek create: %s: %s%s\n", path,
		    strerror(errno), errno == EEXIST ? " (never replaced: "
		    "a lost key-encryption key loses every sealed key)" : "");
		return errno == EEXIST ? OIDCCTL_CONFLICT : OIDCCTL_FAIL;
	}
	if (oidc_random_bytes(raw, sizeof(raw), &err) == -1) {
		oidcctl_fail("kek create", &err);
		goto out;
	}
	for (i = 0; i < sizeof(raw); i++) {
		text[2 * i] = hexd[raw[i] >> 4];
		text[2 * i + 1] = hexd[raw[i] & 0xf];
	}
	text[sizeof(text) - 1] = '\n';
	if (fchown(fd, geteuid(), gid) == -1 || fchmod(fd, KEK_MODE) == -1 ||
	    write_all(fd, text, sizeof(text)) == -1 || fsync(fd) == -1) {
		fprintf(stderr, "oidcctl: kek create: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if (print_result(path, gid) == 0)
		rc = OIDCCTL_OK;
out:
	oidc_wipe(raw, sizeof(raw));
	oidc_wipe(text, sizeof(text));
	if (close(fd) == -1 && rc == OIDCCTL_OK) {
		fprintf(stderr, "oidcctl: kek create: %s: %s\n", path,
		    strerror(errno));
		rc = OIDCCTL_FAIL;
	}
	if (rc != OIDCCTL_OK)
		(void)unlink(path);
	return rc;
}

int
oidcctl_kek(int argc, char *argv[])
{
	const char	*group = NULL;
	int		 i = 2;

	if (oidcctl_wants_help(argc, argv))
		return usage(OIDCCTL_OK);
	if (argc < 2 || strcmp(argv[1], "create") != 0)
		return usage(OIDCCTL_USAGE);
	if (i + 1 < argc && strcmp(argv[i], "--group") == 0) {
		group = argv[i + 1];
		i += 2;
	}
	if (i != argc - 1 || argv[i][0] == '\0' || argv[i][0] == '-')
		return usage(OIDCCTL_USAGE);
	return kek_create(group, argv[i]);
}
