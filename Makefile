# TicketMonster: the PostgreSQL extension (PGXS), the HTTP shim, and the commands that
# build, run and test them.
#
#   make run     build, install, start the development cluster with demo data, serve on $PORT
#   make test    install what is missing, build, and pass every test against a throwaway cluster

EXTENSION = ticketmonster
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = $(EXTENSION)
OBJS = $(patsubst %.c,%.o,$(wildcard extension/*.c))
SHLIB_LINK = -lcrypt

# One unversioned install script of the newest version, copied to its versioned name; the
# install scripts of released versions (kept exactly as they shipped, so that an old version
# can still be created and upgraded) and the upgrade steps sql/ticketmonster--A--B.sql ship
# as they are.
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# pg_regress: one file per resource in sql/, outputs in expected/; isolation specs in specs/.
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/$(EXTENSION)%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=$(EXTENSION)
ISOLATION = $(sort $(patsubst specs/%.spec,%,$(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=$(EXTENSION)

# The library refuses a database whose SQL objects are of another version (extension/spi.c).
PG_CPPFLAGS = -DTM_EXTVERSION='"$(EXTVERSION)"'
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = $(SHIM) $(SHIM_ASAN) shim/*.o cli/*.o

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: a changed struct must rebuild every file that uses it.
$(OBJS): $(wildcard extension/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

include shim/shim.mk
include test/fuzz/fuzz.mk

all: $(SHIM)

.PHONY: deps test run bench chaos fuzz ha ha-test

# Debian packages, npm packages (as root; a developer without root installs them once by hand)
deps:
	tools/install-deps

# Everything, against a throwaway cluster in .tmp/ that is created and removed here.
test: deps
	$(MAKE) all
	$(MAKE) install
	test/run-all

run: deps
	$(MAKE) all
	$(MAKE) install
	tools/dev-run

# The benchmark and the speed targets of issue 14 (bench/run): about 14 minutes on a loaded
# 2-core machine; knobs such as BENCH_QUICK=1 and BENCH_SKIP in bench/lib/settings.sh. Not
# part of make test.
bench: deps
	$(MAKE) all
	$(MAKE) install
	bench/run

# Fault injection and a soak (test/chaos/run): 3 minutes of faults, then 10 minutes of mixed
# traffic watching the shim's memory and descriptors. make test runs the --short version.
chaos: deps
	$(MAKE) all
	$(MAKE) install
	test/chaos/run

# The shim's libFuzzer targets, FUZZ_SECONDS each (test/fuzz/run); non-zero on a crash.
FUZZ_SECONDS ?= 120
fuzz: deps
	$(MAKE) fuzz-build
	test/fuzz/run $(FUZZ_SECONDS)

# Production artifacts (docs/deploy.md): Debian packages into dist/ (tools/build-deb, debian/),
# container images in podman's local storage (tools/build-images, containers/), and their
# test, which installs the packages into this system and runs the images' commands
# (test/package/run, test/images/run; .ci/run runs it after make test).
.PHONY: deb images package-test
deb: deps-packaging
	tools/build-deb

images: deb
	tools/build-images

package-test: deps-packaging
	$(MAKE) images
	test/package/run-all

deps-packaging:
	tools/install-deps --packaging

# High availability (docs/ha.md): pg_auto_failover's monitor and three data nodes in .tmp/ha,
# two web processes on them (tools/ha-run); and the failover test (test/ha/run, in .ci/run):
# the primary and a standby killed under load, nothing acknowledged lost or charged twice.
ha: deps
	$(MAKE) all
	$(MAKE) install
	tools/ha-run

ha-test: deps
	$(MAKE) all
	$(MAKE) install
	test/ha/run
