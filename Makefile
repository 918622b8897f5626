# slabd — hand-written GNU Makefile.
#
#   make            release build (-O2) of ./slabd and the load driver ./slabd-bench
#   make debug      assertions on, -O0: build/debug/slabd
#   make run        install missing packages (as root), build, run on 127.0.0.1:11211
#   make check      install missing packages (as root), build, run every test
#   make install    install slabd, its man page, systemd unit, tmpfiles/sysusers entries and
#                   example config under $(prefix) (PREFIX=DIR, DESTDIR honoured)
#   make uninstall  remove exactly those files again
#   make clean      remove build output (distclean also removes configure output)
#   make asan       unit + integration tests on an ASan/UBSan build (slower; not in check)
#   make fuzz       run the text, binary and meta parser fuzzers, FUZZ_SECONDS each (clang, libFuzzer)
#
# configure (autoconf) writes config.mk; plain `make` runs autoreconf/configure itself
# when they have not run yet. `run`, `check` and `deps` bootstrap packages first, so
# they must not need config.mk before scripts/install-deps.sh has run.

BOOTSTRAP_GOALS := run check deps test-deps clean distclean
ifeq ($(MAKECMDGOALS),)
NEED_CONFIG := 1
else ifneq ($(filter-out $(BOOTSTRAP_GOALS),$(MAKECMDGOALS)),)
NEED_CONFIG := 1
endif

ifdef NEED_CONFIG
include config.mk
endif
ifdef PREFIX
prefix = $(PREFIX)
endif
# systemd looks in these below /usr/local as well as /usr (systemd.unit(5),
# tmpfiles.d(5), sysusers.d(5)). The example config goes to the doc directory, never
# into /etc: copying it to /etc/slabd.conf is the operator's step (README).
SYSTEMDUNITDIR ?= $(prefix)/lib/systemd/system
TMPFILESDIR ?= $(prefix)/lib/tmpfiles.d
SYSUSERSDIR ?= $(prefix)/lib/sysusers.d
DOCDIR ?= $(datarootdir)/doc/slabd

BUILD ?= release
OUT := build/$(BUILD)

ifeq ($(BUILD),debug)
OPT := -O0 -g
else ifeq ($(BUILD),asan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
else
OPT := -O2 -g -DNDEBUG
endif

WARN := -Wall -Wextra -Wno-unused-parameter
BASE_CXXFLAGS := -std=c++20 $(OPT) $(WARN) -pthread -I. -MMD -MP $(CXXFLAGS_EXTRA)
# proto/ and slab/ get no third-party include flags: they depend on nothing but the
# C++ library (STYLE.md: the dependency arrow). check-layering greps their includes.
LEAF_CXXFLAGS := $(BASE_CXXFLAGS)
SRC_CXXFLAGS := $(BASE_CXXFLAGS) $(LIBEVENT_CFLAGS) $(GLOG_CFLAGS) $(GFLAGS_CFLAGS) $(JEMALLOC_CFLAGS) \
  $(SYSTEMD_CFLAGS)
TEST_CXXFLAGS := $(SRC_CXXFLAGS) $(GTEST_CFLAGS)
ifeq ($(BUILD),asan)
# ASan brings its own allocator: jemalloc stays out of sanitizer builds.
SERVER_LIBS := $(LIBEVENT_LIBS) $(GLOG_LIBS) $(GFLAGS_LIBS) $(SYSTEMD_LIBS) -pthread -fsanitize=address,undefined
else
SERVER_LIBS := $(LIBEVENT_LIBS) $(GLOG_LIBS) $(GFLAGS_LIBS) $(SYSTEMD_LIBS) $(JEMALLOC_LIBS) -pthread
endif

PROTO_SRCS := $(wildcard proto/*.cc)
SLAB_SRCS := $(wildcard slab/*.cc)
SRC_SRCS := $(filter-out src/main.cc,$(wildcard src/*.cc))
BENCH_SRCS := $(filter-out src/bench/main.cc,$(wildcard src/bench/*.cc))
UNIT_SRCS := $(wildcard t/unit/*/*_test.cc)

PROTO_OBJS := $(PROTO_SRCS:%.cc=$(OUT)/%.o)
SLAB_OBJS := $(SLAB_SRCS:%.cc=$(OUT)/%.o)
SRC_OBJS := $(SRC_SRCS:%.cc=$(OUT)/%.o)
BENCH_OBJS := $(BENCH_SRCS:%.cc=$(OUT)/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.cc=$(OUT)/%.o)

.PHONY: all debug run check test deps test-deps clean distclean install uninstall unit check-layering asan fuzz
.DEFAULT_GOAL := all

all: slabd slabd-bench

debug:
	$(MAKE) BUILD=debug build/debug/slabd

deps:
	@scripts/install-deps.sh

# Everything the tests need on top: the memcached oracle and the real clients
# (Debian packages, and memjs from npm into t/clients/memjs).
test-deps:
	@scripts/install-deps.sh --test
	@scripts/install-client-deps.sh

asan:
	$(MAKE) BUILD=asan build/asan/slabd build/asan/unit_tests
	ASAN_OPTIONS=detect_leaks=1 t/run_tests.sh build/asan/unit_tests build/asan/slabd

# Each fuzzer runs for FUZZ_SECONDS in turn; the first failure stops the run. New inputs
# are kept in build/fuzz/corpus/<name> for the next run, crashes saved in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZERS := text_parser_fuzz binary_parser_fuzz meta_parser_fuzz
FUZZ_CXXFLAGS := -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I.
fuzz: $(FUZZERS:%=build/fuzz/%)
	@for f in $(FUZZERS); do \
	  mkdir -p build/fuzz/corpus/$$f && \
	  echo "== $$f for $(FUZZ_SECONDS)s" && \
	  build/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -artifact_prefix=build/fuzz/$$f- build/fuzz/corpus/$$f || exit 1; \
	done

build/fuzz/%_fuzz: t/fuzz/%_fuzz.cc $(PROTO_SRCS) $(wildcard proto/*.h)
	@mkdir -p $(@D)
	clang++ $(FUZZ_CXXFLAGS) $(PROTO_SRCS) $< -o $@

run: deps
	@$(MAKE) --no-print-directory slabd
	./slabd -l 127.0.0.1 -p 11211 $(if $(filter 0,$(shell id -u)),-u nobody)

check: test-deps
	@$(MAKE) --no-print-directory test

test: slabd slabd-bench $(OUT)/unit_tests
	@t/run_tests.sh $(OUT)/unit_tests ./slabd

unit: $(OUT)/unit_tests
	$(OUT)/unit_tests

check-layering:
	@t/check_layering.sh

config.mk: configure.ac config.mk.in
	@command -v autoreconf >/dev/null || { echo "autoconf is missing: run 'make deps' (as root) or scripts/install-deps.sh"; exit 1; }
	autoreconf -fi
	./configure

slabd: $(OUT)/slabd
	cp $< $@.tmp && mv -f $@.tmp $@

$(OUT)/slabd: $(OUT)/src/main.o $(OUT)/libsrc.a $(OUT)/libproto.a $(OUT)/libslab.a
	$(CXX) -o $@ $^ $(SERVER_LIBS)

# The load driver (src/bench/, issue 6); --engine drives slab/ in-process.
slabd-bench: $(OUT)/slabd-bench
	cp $< $@.tmp && mv -f $@.tmp $@

$(OUT)/slabd-bench: $(OUT)/src/bench/main.o $(OUT)/libbench.a $(OUT)/libsrc.a $(OUT)/libproto.a \
  $(OUT)/libslab.a
	$(CXX) -o $@ $^ $(SERVER_LIBS)

# The no-storage ceiling server of the benchmarks (scripts/bench/ceiling builds it on demand):
# one standalone file, no project code, no libraries.
$(OUT)/bench-ceiling: scripts/bench/ceiling.cc
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++20 $(WARN) -o $@ $<

$(OUT)/unit_tests: $(UNIT_OBJS) $(OUT)/libbench.a $(OUT)/libsrc.a $(OUT)/libproto.a \
  $(OUT)/libslab.a
	$(CXX) -o $@ $^ $(GTEST_LIBS) $(SERVER_LIBS)

$(OUT)/libproto.a: $(PROTO_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/libslab.a: $(SLAB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/libsrc.a: $(SRC_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/libbench.a: $(BENCH_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/proto/%.o: proto/%.cc
	@mkdir -p $(@D)
	$(CXX) $(LEAF_CXXFLAGS) -c $< -o $@

$(OUT)/slab/%.o: slab/%.cc
	@mkdir -p $(@D)
	$(CXX) $(LEAF_CXXFLAGS) -c $< -o $@

$(OUT)/src/%.o: src/%.cc
	@mkdir -p $(@D)
	$(CXX) $(SRC_CXXFLAGS) -c $< -o $@

$(OUT)/t/%.o: t/%.cc
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

# Installs $(OUT)/slabd (BUILD=... picks the build) without touching ./slabd. The unit's
# ExecStart and doc paths are rewritten to where the files actually go.
INSTALLED_FILES = $(bindir)/slabd $(mandir)/man1/slabd.1 $(SYSTEMDUNITDIR)/slabd.service \
  $(TMPFILESDIR)/slabd.conf $(SYSUSERSDIR)/slabd.conf $(DOCDIR)/slabd.conf
install: $(OUT)/slabd
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(SYSTEMDUNITDIR) \
	  $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(OUT)/slabd $(DESTDIR)$(bindir)/slabd
	install -m 0644 man/slabd.1 $(DESTDIR)$(mandir)/man1/slabd.1
	sed -e 's|/usr/local/bin/slabd|$(bindir)/slabd|' -e 's|/usr/local/share/doc/slabd|$(DOCDIR)|' \
	  scripts/slabd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/slabd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/slabd.service
	install -m 0644 scripts/slabd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/slabd.conf
	install -m 0644 scripts/slabd.sysusers $(DESTDIR)$(SYSUSERSDIR)/slabd.conf
	install -m 0644 scripts/slabd.conf $(DESTDIR)$(DOCDIR)/slabd.conf

# Removes the files install wrote and slabd's own doc directory; shared directories
# (bin, man1, systemd's) stay, as automake's uninstall leaves them.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build slabd slabd-bench

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache aclocal.m4

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
