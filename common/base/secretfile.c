/*
 * secretfile.c: reading secret files (see oidc/secretfile.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "oidc/secretfile.h"

int
oidc_secret_file_read(const char *what, const char *path, char *buf,
    size_t bufsz, size_t *got, struct oidc_error *err)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd, rc = -1;

	*got = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return oidc_fail(err, OIDC_E_IO, NULL, "%s %s: %s", what, path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		oidc_fail(err, OIDC_E_CONFIG, NULL, "%s %s: not a regular file",
		    what, path);
		goto out;
	}
	/* SECURITY: a secret anybody on the host can read protects nothing. */
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		oidc_fail(err, OIDC_E_CONFIG, NULL, "%s %s: readable or "
		    "writable by others (chmod o-rw)", what, path);
		goto out;
	}
	for (;;) {
		n = read(fd, buf + *got, bufsz - *got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			oidc_fail(err, OIDC_E_IO, NULL, "%s %s: %s", what, path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
		if (*got == bufsz) {
			oidc_fail(err, OIDC_E_CONFIG, NULL, "%s %s: larger than "
			    "%zu bytes", what, path, bufsz - 1);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1) {
		/* volatile stores the compiler cannot drop */
		volatile char	*v = buf;
		size_t		 i;

		for (i = 0; i < bufsz; i++)
			v[i] = 0;
		*got = 0;
	}
	close(fd);
	return rc;
}
