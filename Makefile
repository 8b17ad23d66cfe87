# oidc-fcgi: one non-recursive Makefile.
#
#   make            build the library, every endpoint binary and oidcctl
#   make test       install missing packages, then unit + fuzz replay + lint +
#                   integration tests (nginx, lighttpd, spawn-fcgi, PostgreSQL)
#                   + the HA tests (make test-ha: tests/ha/run.sh, tiers 1 and 2)
#                   + the deploy walk-through (check-deploy: make deb and
#                   make install in a Debian 12 root)
#   make SANITIZE=1 test    the same under ASan+UBSan (build/asan)
#   make asan       shorthand for the line above
#   make run / stop the embedded provider on 127.0.0.1:$(OIDC_PORT),
#                   OIDC_WORKERS workers for authorize, token, userinfo
#                   (default: the CPUs), OIDC_WORKERS_LIGHT for the others
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package in build/deb (dpkg-buildpackage on a
#                   copy of the tree), checked by lintian
#
# Sources are found by wildcard: a new common/<area>/<module>.c, cgi-bin/<x>.c,
# tests/unit/<area>/test_<module>.c or tests/fuzz/fuzz_<parser>.c needs no
# Makefile change.

PREFIX		?= /usr/local
DESTDIR		?=
# The one place the version lives: VERSION, shown by every binary's
# --version (common/app/app.c, tools/oidcctl.c through OIDC_VERSION).
VERSION		:= $(shell cat VERSION)
OIDC_PORT	?= 8080
CC		?= cc
PKGS		:= openssl libpq json-c libcurl

ifeq ($(SANITIZE),1)
VARIANT		:= asan
SANFLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer -DOIDC_ARENA_DEBUG
OPT		:= -O1
else
VARIANT		:= release
SANFLAGS	:=
OPT		:= -O2 -D_FORTIFY_SOURCE=2
endif

B		:= build/$(VARIANT)

WARN		:= -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow \
		   -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
		   -Wvla -Wimplicit-fallthrough -Wno-missing-field-initializers
# -Wno-missing-field-initializers: designated initialisers leave the rest
# zero on purpose (endpoint tables, error structs).
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# CFLAGS and LDFLAGS are the builder's (make CFLAGS=-O0 replaces the
# default, _FORTIFY_SOURCE included, as it needs -O).  What the code needs
# to build at all (standard, include path, defines, warnings, sanitizers,
# hardening) is in OIDC_CFLAGS and OIDC_LDFLAGS, which every rule uses
# first and a command line does not replace (tests/check-makeflags.sh).
CFLAGS		?= -g $(OPT)
OIDC_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(WARN) $(SANFLAGS) \
		   -fstack-protector-strong -fPIE \
		   -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
		   -Icommon/include $(PKG_CFLAGS) -DOIDC_PREFIX='"$(PREFIX)"' \
		   -DOIDC_VERSION='"$(VERSION)"'
OIDC_LDFLAGS	:= $(SANFLAGS) -pie -Wl,-z,relro,-z,now -Wl,--as-needed
ALL_CFLAGS	= $(OIDC_CFLAGS) $(CFLAGS)
ALL_LDFLAGS	= $(OIDC_LDFLAGS) $(LDFLAGS)
LDLIBS		:= $(PKG_LIBS) -lfcgi

LIB_SRCS	:= $(sort $(wildcard common/*/*.c))
LIB_OBJS	:= $(LIB_SRCS:%.c=$(B)/%.o)
LIB		:= $(B)/liboidc.a
CGI_SRCS	:= $(sort $(wildcard cgi-bin/*.c))
CGI_BINS	:= $(CGI_SRCS:cgi-bin/%.c=$(B)/cgi-bin/%.fcgi)
TOOL_SRCS	:= $(sort $(wildcard tools/*.c))
TOOL_OBJS	:= $(TOOL_SRCS:%.c=$(B)/%.o)
OIDCCTL		:= $(B)/oidcctl
UNIT_SRCS	:= $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
FUZZ_SRCS	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS	:= $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/tests/fuzz/%)
BENCH_SRCS	:= $(sort $(wildcard bench/*.c))
BENCH_BINS	:= $(BENCH_SRCS:bench/%.c=$(B)/bench/%)

.SECONDARY:

.PHONY: all test check check-unit check-fuzz lint check-integration check-deploy asan \
	deps run stop install deb clean fuzz bench bench-ha check-valgrind soak test-ha

all: $(LIB) $(CGI_BINS) $(OIDCCTL)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# A new VERSION rebuilds the two objects that print it.
$(B)/common/app/app.o $(B)/tools/oidcctl.o: VERSION

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/cgi-bin/%.fcgi: $(B)/cgi-bin/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(OIDCCTL): $(TOOL_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(TOOL_OBJS) $(LIB) $(LDLIBS)

$(B)/tests/lib/tap.o: tests/lib/tap.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib -c -o $@ $<

$(B)/tests/unit/%: tests/unit/%.c $(B)/tests/lib/tap.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib $(ALL_LDFLAGS) -o $@ $< \
	    $(B)/tests/lib/tap.o $(LIB) $(LDLIBS)

$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/standalone.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/standalone.c \
	    $(LIB) $(LDLIBS)

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

deps:
	@scripts/deps.sh test

# Unit tests, fuzz-corpus replay and source checks: no servers needed.
check: check-unit check-fuzz lint

check-unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

check-fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do \
	    n=$${f##*/fuzz_}; \
	    $$f tests/fuzz/corpus/$$n; \
	done

lint:
	@tests/checksrc.sh
	@tests/check-funclen.sh
	@tests/check-config-doc.sh
	@tests/check-release.sh
	@MAKE="$(MAKE)" tests/check-makeflags.sh

check-integration: all
	@OIDC_BUILD=$(B) tests/integration/run.sh

# HA (issue 19): tier 1, primary + two standbys, failover under load;
# then tier 2, Patroni + etcd, switchover and leader crash under load.
test-ha: all
	@OIDC_BUILD=$(B) tests/ha/run.sh streaming
	@OIDC_BUILD=$(B) tests/ha/run.sh patroni

# The smoke tests with every worker under valgrind (tests/soak/valgrind.sh).
check-valgrind: all
	@OIDC_BUILD=$(B) sh tests/soak/valgrind.sh

# 100,000 mixed requests through nginx, every worker's RSS sampled
# (tests/soak/soak.sh; OIDC_SOAK_REQUESTS changes the count).
soak: all
	@OIDC_BUILD=$(B) sh tests/soak/soak.sh

# deploy/README.md's walk-through, run as written in a fresh Debian 12
# root with the package (make deb) and with make install
# (tests/deploy/walkthrough.sh; root, mmdebstrap, namespaces).
check-deploy:
	@tests/deploy/run.sh

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory check-integration
	@$(MAKE) --no-print-directory test-ha
	@$(MAKE) --no-print-directory check-deploy

asan:
	@$(MAKE) --no-print-directory SANITIZE=1 test

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory all
	@OIDC_BUILD=$(B) OIDC_PORT=$(OIDC_PORT) scripts/dev-stack.sh run

stop:
	@scripts/dev-stack.sh stop

# libFuzzer runs (clang): FUZZ=<parser> for one target, FUZZ_SECONDS each.
FUZZ_SECONDS	?= 60
fuzz:
	@FUZZ="$(FUZZ)" FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-libfuzzer.sh

bench: all $(BENCH_BINS)
	@OIDC_BUILD=$(B) bench/run.sh

# Sizing for HA (issue 19): the full flow against one primary alone and
# with a synchronous standby, side by side (bench/ha.sh).
bench-ha: all $(BENCH_BINS)
	@OIDC_BUILD=$(B) bench/ha.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/oidc-fcgi $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/sql/migrations \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/deploy
	install -m 0755 $(CGI_BINS) $(DESTDIR)$(PREFIX)/lib/oidc-fcgi/
	install -m 0755 $(OIDCCTL) $(DESTDIR)$(PREFIX)/sbin/oidcctl
	install -m 0644 sql/migrations/*.sql \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/sql/migrations/
	install -m 0644 sql/roles.sql $(DESTDIR)$(PREFIX)/share/oidc-fcgi/sql/
	cp -R deploy/. $(DESTDIR)$(PREFIX)/share/oidc-fcgi/deploy/
	sed -i 's|/usr/local/|$(PREFIX)/|g' \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/deploy/systemd/* \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/deploy/spawn-fcgi/*.sh
	install -m 0755 scripts/render-conf.sh \
	    $(DESTDIR)$(PREFIX)/share/oidc-fcgi/deploy/
	if [ -d man ]; then install -d $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/man/man5; \
	    for m in man/*.8; do [ -f "$$m" ] && install -m 0644 "$$m" \
	    $(DESTDIR)$(PREFIX)/share/man/man8/; done; \
	    for m in man/*.5; do [ -f "$$m" ] && install -m 0644 "$$m" \
	    $(DESTDIR)$(PREFIX)/share/man/man5/; done; true; fi

deb:
	@scripts/make-deb.sh build/deb

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
