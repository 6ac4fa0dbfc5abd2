# ocop - OCOP label service. Plain GNU make, out-of-tree build/.
PREFIX ?= /usr/local
CC ?= cc
BUILD ?= build

PKGS := libqrencode libpng libcurl sqlite3 jansson libmicrohttpd libsodium cairo \
	libutf8proc libpq zlib
# Debian packages the build, the tests and the demo need (checked by `deps`).
DEB_PKGS := build-essential pkg-config libqrencode-dev libpng-dev \
	libcurl4-openssl-dev libsqlite3-dev libjansson-dev libmicrohttpd-dev \
	libsodium-dev libcairo2-dev libutf8proc-dev zlib1g-dev fonts-dejavu-core sqlite3 \
	curl zbar-tools \
	librsvg2-bin poppler-utils qrencode python3 python3-jsonschema \
	chromium wrk nginx-light systemd openssl cppcheck libpq-dev postgresql \
	clang libclang-rt-dev

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wcast-qual -fno-common
ifeq ($(CI),true)
WARN += -Werror
endif
ifneq ($(WERROR),)
WARN += -Werror
endif
OPT ?= -O2 -g
# Test hooks (OCOP_NOW, OCOP_FAIL_AFTER_*, OCOP_TEST_FIRST_SERIAL read from
# the environment) are compiled into build/ocop, which the tests, the demo
# and the benchmarks run, and left out of build/release/ocop, which
# `make install` installs.
HOOKS ?= 1
ifeq ($(HOOKS),1)
CFLAGS += -DOCOP_TEST_HOOKS
endif
RELEASE := build/release
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Isrc -I$(BUILD) $(PKG_CFLAGS) -MMD -MP
LDLIBS += $(PKG_LIBS) -lpthread -lm

# Modules live in src/ and, a family of files each, in its folders
# (src/store/, src/store/sqlite/); objects mirror the tree under $(BUILD).
LIB_SRCS := $(filter-out src/main.c src/cmd_%.c,\
	$(wildcard src/*.c src/*/*.c src/*/*/*.c))
CMD_SRCS := src/main.c $(wildcard src/cmd_*.c)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/assets.o
CMD_OBJS := $(CMD_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Fuzz targets: tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME/.
# Each is also built without libFuzzer as build/tests/test_fuzz_NAME,
# which replays its corpus in `make test` and `make check`.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)
ASSETS := $(shell find assets -type f ! -name '*.md' ! -path 'assets/deploy/*' | LC_ALL=C sort)

.PHONY: all test check bench demo install format lint clean deps FORCE fuzz \
	fuzzers
all: $(BUILD)/ocop

# Made anew each time: ar would keep the member of a file since removed
# or moved. Members are named by their file's base name, so a module's
# name is unique across src/ and its folders.
$(BUILD)/libocop.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ocop: $(CMD_OBJS) $(BUILD)/libocop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libocop.a $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# Every file under assets/ is compiled into the binary (migrations,
# templates, demo registry), so an installed ocop needs nothing beside it;
# assets/deploy/ holds files for the host (systemd, nginx), not the binary.
# The list of names is a prerequisite too: a file moved or removed keeps
# no newer time to go by.
$(BUILD)/assets.list: FORCE | $(BUILD)
	@echo '$(ASSETS)' | cmp -s - $@ || echo '$(ASSETS)' > $@
$(BUILD)/assets.c: $(ASSETS) $(BUILD)/assets.list src/embed.sh | $(BUILD)
	sh src/embed.sh $(ASSETS) > $@.tmp && mv $@.tmp $@
$(BUILD)/assets.o: $(BUILD)/assets.c
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/libocop.a | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libocop.a $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
		tests/fuzz/fuzz.h tests/unit/harness.h $(BUILD)/libocop.a | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/unit -Itests/fuzz -DFUZZ_NAME='"$*"' \
		-DFUZZ_CORPUS='"$(CURDIR)/tests/fuzz/corpus/$*"' -o $@ \
		tests/fuzz/replay.c $< $(BUILD)/libocop.a $(LDLIBS)

$(BUILD)/fuzzers/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libocop.a
	@mkdir -p $(BUILD)/fuzzers
	$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
		$(BUILD)/libocop.a $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libocop.a | $(BUILD)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libocop.a $(LDLIBS)

$(BUILD):
	@mkdir -p $(BUILD)

# Install the Debian packages that are missing; nothing when all are there.
# Node.js and npm drive the browser tests: Debian's nodejs and npm, unless
# a node with its npm is there already (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package). The npm packages of tests/browser/
# (playwright-core and axe-core, versions locked) are installed when
# missing or older than the lock file.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi
	@if [ ! -f tests/browser/node_modules/.package-lock.json ] || \
	    [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then \
		echo "installing: npm packages of tests/browser"; \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null || exit 1; \
	fi

test: deps
	$(MAKE) all units
	$(MAKE) BUILD=$(RELEASE) HOOKS=0 all
	tests/run

units: $(UNIT_BINS) $(FUZZ_REPLAYS)
.PHONY: units

# The fuzz targets built with clang, libFuzzer and the sanitizers into
# build/fuzz/, each then run for FUZZ_SECONDS from its seeds (new inputs
# go to build/fuzz/corpus/, crashes to build/fuzz/crashes/). Not part of
# `make test`: see tests/fuzz/run.
fuzzers: $(FUZZ_TARGETS:%=$(BUILD)/fuzzers/%)

fuzz: deps
	$(MAKE) BUILD=build/fuzz CC=$(FUZZ_CC) \
		OPT="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		LDFLAGS="$(FUZZ_SAN)" FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzzers
	tests/fuzz/run build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check: deps
	$(MAKE) BUILD=build/check OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" all units
	$(MAKE) BUILD=$(RELEASE) HOOKS=0 all
	OCOP_BUILD=build/check OCOP_TEST_ENGINES=sqlite ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 tests/run

bench: deps
	$(MAKE) all $(BENCH_BINS)
	tests/bench/run

demo: deps
	$(MAKE) all
	DEMO_HOST='$(DEMO_HOST)' sh tests/demo.sh

install:
	$(MAKE) BUILD=$(RELEASE) HOOKS=0 all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(RELEASE)/ocop $(DESTDIR)$(PREFIX)/bin/ocop

format:
	clang-format -i $(shell find src include tests/unit tests/bench tests/fuzz -name '*.[ch]')

lint:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem -Iinclude -Isrc src

clean:
	rm -rf build

-include $(wildcard $(BUILD)/*.d $(BUILD)/*/*.d $(BUILD)/*/*/*.d)
