# parkfund — one non-recursive Makefile.
#   make            build build/parkfund (a missing package: fails with the apt-get line)
#   make deps       install missing build packages (as root; otherwise print the apt-get line)
#   make demo       install missing packages (as root), build, run the demo
#   make test       the same, plus the test tools; run the suite plainly and under ASan+UBSan
#   make bench      SPEC §9 ratios (not a test)
#   make install / uninstall  (PREFIX, DESTDIR)
# Only deps, demo and test (the README's commands) install packages; every other
# target only checks (check-deps) and names what is missing.
# V=1 shows commands. BUILD=dir puts objects elsewhere (the sanitizer build uses build/san).
# Packagers: CFLAGS, CPPFLAGS and LDFLAGS are yours (the warning set, -std=c11 and
# the include paths are added to them, not replaced); WERROR= turns -Werror off
# (on by default, for developers and CI); SANITIZE=address,undefined adds the
# sanitizer to whatever CFLAGS are.

PKGS      := sqlite3 gsl libcjson xlsxwriter nettle
BUILD     ?= build
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/parkfund
MANDIR    ?= $(PREFIX)/share/man
CC        ?= cc
ifdef SANITIZE
CFLAGS    ?= -O1 -g
else
CFLAGS    ?= -O2 -g
endif
WERROR    ?= -Werror
WARN      := -std=c11 -Wall -Wextra $(WERROR) -Wpedantic -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2 -Wno-format-nonliteral
SRCDIR    := $(CURDIR)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
# the project's own flags, kept apart so that CFLAGS/CPPFLAGS/LDFLAGS given on the
# command line (which override any assignment here) add to them instead of losing them
PF_CPPFLAGS := -Iinclude -I$(BUILD)/gen -D_POSIX_C_SOURCE=200809L \
             -DPF_DATADIR='"$(DATADIR)"' -DPF_SRCDIR='"$(SRCDIR)"'
SAN_CFLAGS  := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer)
SAN_LDFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE))
ALL_CPPFLAGS = $(PF_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(CFLAGS) $(SAN_CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS) $(SAN_LDFLAGS)
Q := $(if $(V),,@)

LAYERS    := util model calc store import engine report gen
LIB_SRCS  := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
CLI_SRCS  := $(wildcard src/cli/*.c)
GEN_SRCS  := $(BUILD)/gen/schema_sql.c
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/schema_sql.o
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libparkfund.a
BIN       := $(BUILD)/parkfund
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SCHEMA    := $(sort $(wildcard models/schema/*.sql))

.PHONY: all deps check-deps test-deps test check test-suite selftest units demo bench install \
        uninstall clean check-layers fuzz valgrind

all: $(BIN)

# ---- dependencies. `make deps` (and demo, test, which need it) installs what is
# missing with apt-get when run as root, otherwise prints the exact command; every
# other build only checks (check-deps) and fails with that command: a plain `make`
# or `make install` as root never installs anything.
DEB_sqlite3    := libsqlite3-dev
DEB_gsl        := libgsl-dev
DEB_libcjson   := libcjson-dev
DEB_xlsxwriter := libxlsxwriter-dev
DEB_nettle     := nettle-dev
# the shell that sets $$missing to the Debian packages lacking (csv.h: a compile check,
# so that CPPFLAGS=-I... finds a libcsv installed elsewhere)
DEPS_FIND = missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	command -v $(firstword $(CC)) >/dev/null 2>&1 || missing="$$missing gcc libc6-dev"; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || { \
	  case $$p in sqlite3) d=$(DEB_sqlite3);; gsl) d=$(DEB_gsl);; libcjson) d=$(DEB_libcjson);; \
	    xlsxwriter) d=$(DEB_xlsxwriter);; nettle) d=$(DEB_nettle);; esac; missing="$$missing $$d"; }; done; \
	printf '\043include <csv.h>\n' | $(CC) $(ALL_CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  missing="$$missing libcsv-dev"
DEPS_SAY = echo "parkfund: missing build dependencies; run as root:" >&2; \
	echo "  apt-get install$$missing" >&2
deps:
	$(Q)$(DEPS_FIND); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "parkfund: installing$$missing" >&2; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >&2 || exit 1; \
	  else \
	    $(DEPS_SAY); exit 1; \
	  fi; \
	fi
check-deps:
	$(Q)$(DEPS_FIND); \
	if [ -n "$$missing" ]; then \
	  $(DEPS_SAY); echo "(or 'make deps' as root: only deps, demo and test install packages)" >&2; \
	  exit 1; \
	fi

# what the build's objects wait for: the installing deps only when a goal that may
# install (deps, demo, test, check) was asked for, else the check
DEPS_GATE := $(if $(filter deps demo test check,$(MAKECMDGOALS)),deps,check-deps)

# tools the test suite drives: the sqlite3 shell, Gnumeric and LibreOffice to recalculate
# workbooks, Debian's python3 (stdlib) to read xlsx parts, poppler + CJK fonts to look at them
TEST_TOOLS := sqlite3:sqlite3 ssconvert:gnumeric soffice:libreoffice-calc-nogui \
              /usr/bin/python3:python3 pdftoppm:poppler-utils unzip:unzip \
              /usr/bin/time:time
test-deps: deps
	$(Q)missing=""; for t in $(TEST_TOOLS); do c=$${t%%:*}; p=$${t#*:}; \
	  command -v $$c >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "parkfund: installing test tools:$$missing" >&2; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing >&2 || exit 1; \
	  else \
	    echo "parkfund: missing test tools; run as root:" >&2; \
	    echo "  apt-get install --no-install-recommends$$missing" >&2; exit 1; \
	  fi; \
	fi

# ---- build
$(BUILD)/gen/schema_sql.c: $(SCHEMA) Makefile | $(DEPS_GATE)
	@mkdir -p $(dir $@)
	$(Q){ echo '/* generated from models/schema by the Makefile; do not edit */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const char *const pf_schema_migrations[] = {'; \
	  for f in $(SCHEMA); do echo "/* $$f */"; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; echo ','; done; \
	  echo 'NULL };'; \
	  echo 'extern const char *const pf_schema_migrations[];'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(DEPS_GATE)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(PKG_CFLAGS) $(ALL_CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/schema_sql.o: $(BUILD)/gen/schema_sql.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -std=c11 -w -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(LIB) | $(DEPS_GATE)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -Isrc $(PKG_CFLAGS) $(ALL_CFLAGS) $(WARN) -Wno-missing-prototypes \
	  $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

units: $(BIN) $(UNIT_BINS)

# ---- layers: a module may include only lower layers' headers (STYLE.md (c))
check-layers:
	$(Q)sh tests/check_layers.sh

# ---- tests: the suite plainly, then again under AddressSanitizer + UndefinedBehaviorSanitizer
test check: test-deps
	$(Q)$(MAKE) --no-print-directory units check-layers
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined units
	$(Q)sh tests/run_all.sh $(BUILD) $(BUILD)/san

test-suite: units
	$(Q)sh tests/run_all.sh $(BUILD)

# the test machinery's own tests (run_all.sh runs them too): the runner must not pass
# on nothing, and a plain build must not install packages
selftest:
	$(Q)sh tests/selftest/runner.sh && sh tests/selftest/makefile.sh

demo: all
	$(Q)$(BIN) demo --out out

bench: all
	$(Q)sh tests/bench/run.sh $(BUILD)

valgrind: units
	$(Q)for t in $(UNIT_BINS); do valgrind -q --error-exitcode=1 --leak-check=full $$t || exit 1; done

fuzz:
	$(Q)sh tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/models/taxonomy $(DESTDIR)$(DATADIR)/models/schema \
	  $(DESTDIR)$(DATADIR)/models/sample $(DESTDIR)$(DATADIR)/reports $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/parkfund
	install -m 644 models/taxonomy/*.json $(DESTDIR)$(DATADIR)/models/taxonomy/
	install -m 644 models/schema/*.sql $(DESTDIR)$(DATADIR)/models/schema/
	install -m 644 models/sample/* $(DESTDIR)$(DATADIR)/models/sample/
	install -m 644 reports/*.json $(DESTDIR)$(DATADIR)/reports/
	install -m 644 parkfund.1 $(DESTDIR)$(MANDIR)/man1/parkfund.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parkfund $(DESTDIR)$(MANDIR)/man1/parkfund.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) out

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
