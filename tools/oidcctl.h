/*
 * oidcctl.h: the admin command's subcommands.  Each returns the process exit
 * status (see oidcctl --help): 0 ok, 1 failure, 2 usage error, 3 not found,
 * 4 conflict (already exists).
 */
#ifndef OIDCCTL_H
#define OIDCCTL_H

#define OIDCCTL_OK		0
#define OIDCCTL_FAIL		1
#define OIDCCTL_USAGE		2
#define OIDCCTL_NOT_FOUND	3
#define OIDCCTL_CONFLICT	4

int	oidcctl_jose(int argc, char *argv[]);
int	oidcctl_client(int argc, char *argv[]);
int	oidcctl_user(int argc, char *argv[]);
int	oidcctl_key(int argc, char *argv[]);
int	oidcctl_kek(int argc, char *argv[]);
int	oidcctl_migrate(int argc, char *argv[]);
int	oidcctl_backchannel(int argc, char *argv[]);
int	oidcctl_resource(int argc, char *argv[]);

/* Read all of stdin (at most max bytes) into a malloc'd buffer. */
char	*oidcctl_read_stdin(size_t max, size_t *len);

#endif
