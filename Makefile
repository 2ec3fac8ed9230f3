# SPDX-License-Identifier: GPL-2.0-or-later
# nslab: build, tests, sanitizers, fuzzing. `make help` lists the targets.

CC       ?= cc
PKGS     := libmnl yaml-0.1 jansson vterm ncursesw
# Loaded on first use (util/dlib.h), not linked: their headers here, their SONAMEs read off the
# libraries now, so every nslab process (a node's init too) maps only what it always needs.
DL_PKGS  := libgvc libcgraph libnftables libxml-2.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DL_PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
soname = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
DL_SONAMES := -DNSLAB_SO_GVC='"$(call soname,gvc)"' -DNSLAB_SO_CGRAPH='"$(call soname,cgraph)"' \
              -DNSLAB_SO_NFTABLES='"$(call soname,nftables)"' -DNSLAB_SO_XML2='"$(call soname,xml2)"'

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
        -Wimplicit-fallthrough -Wswitch-enum -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(DL_SONAMES)
override LDLIBS += $(PKG_LIBS)

PREFIX ?= /usr/local
BUILD  ?= build

UTIL_SRC := $(wildcard util/*.c)
TOPO_SRC := $(wildcard topologies/*.c)
NL_SRC   := $(wildcard netlink/*.c)
CORE_SRC := $(wildcard core/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TUI_SRC  := $(wildcard tui/*.c)
LIB_SRC  := $(UTIL_SRC) $(TOPO_SRC) $(NL_SRC) $(CORE_SRC)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o) $(TUI_SRC:%.c=$(BUILD)/%.o)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean check unit integration corpus asan fuzz fuzz-run install uninstall fmt help vm-test stress stress-short

all: $(BUILD)/nslab

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Made anew each time: `ar r` into the old archive would keep the objects of deleted sources.
$(BUILD)/libnslab.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/nslab: $(CLI_OBJ) $(BUILD)/libnslab.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link the library plus cmocka; a test may add -Wl,--wrap flags
# in a first-line comment "// WRAP: sym1 sym2".
$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libnslab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(foreach s,$(shell sed -n '1s|^// WRAP: ||p' $<),-Wl,--wrap=$(s)) \
		$(BUILD)/libnslab.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# Each program's output goes to $(BUILD)/unit.log; failures are shown, then one summary line.
unit: $(UNIT_BIN)
	@tests/unit/run.sh $(BUILD)/unit.log $(UNIT_BIN)

integration: $(BUILD)/nslab
	NSLAB=$(abspath $(BUILD)/nslab) tests/integration/run.sh

# The reliability campaign (root): kill -9 at random moments, queued and concurrent commands, a full
# run directory, ip netns add beside labs (tests/stress/run.sh; STRESS_TRIALS, STRESS_SEED).
stress: $(BUILD)/nslab
	NSLAB=$(abspath $(BUILD)/nslab) tests/stress/run.sh -n $${STRESS_TRIALS:-100} $${STRESS_SEED:+-s $$STRESS_SEED}

# The short version CI runs (a few minutes): 5 trials per kill -9 kind, 3 of each other kind.
stress-short: $(BUILD)/nslab
	NSLAB=$(abspath $(BUILD)/nslab) tests/stress/run.sh -n 5 $${STRESS_SEED:+-s $$STRESS_SEED}

# Real containerlab files (../shared/corpus beside the repository): validate, deploy, links up,
# pings, FRR routes, destroy; a table and a total (root).
corpus: $(BUILD)/nslab
	NSLAB=$(abspath $(BUILD)/nslab) tests/corpus/run.sh

# The README's test command: unit tests, then integration tests (root), then a short fuzz run.
check: unit integration fuzz-run

# LeakSanitizer ignores what tests/lsan.supp lists: libraries' own process-lifetime caches
asan: export LSAN_OPTIONS = suppressions=$(abspath tests/lsan.supp):print_suppressions=0
asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined" all unit

FUZZ_CC ?= clang
$(BUILD)/fuzz/fuzz_topology: tests/fuzz/fuzz_topology.c $(UTIL_SRC) $(TOPO_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(DL_SONAMES) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ $(shell pkg-config --cflags --libs yaml-0.1)

$(BUILD)/fuzz/fuzz_lab_conf: tests/fuzz/fuzz_lab_conf.c $(UTIL_SRC) $(TOPO_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(DL_SONAMES) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ $(shell pkg-config --cflags --libs yaml-0.1)

# The scenario parser and the journal/state.json readers live in core/: built with the whole library
# (every source under the fuzzer's instrumentation, in its own folder).
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(DL_SONAMES) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

$(BUILD)/fuzz/fuzz_scenario: tests/fuzz/fuzz_scenario.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

$(BUILD)/fuzz/fuzz_labfiles: tests/fuzz/fuzz_labfiles.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

FUZZ_BIN := $(BUILD)/fuzz/fuzz_topology $(BUILD)/fuzz/fuzz_lab_conf $(BUILD)/fuzz/fuzz_scenario $(BUILD)/fuzz/fuzz_labfiles
fuzz: $(FUZZ_BIN)

# A short, bounded fuzz run (CI): 60 s over the seed corpus in examples/ and tests/fuzz/corpus,
# then the lab.conf reader for FUZZ_LABCONF_SECONDS (30) over tests/fuzz/corpus_lab_conf, the
# scenario parser for FUZZ_SCENARIO_SECONDS (20) and the journal/state.json readers for
# FUZZ_LABFILES_SECONDS (20) over tests/fuzz/corpus_scenario and corpus_labfiles. One input taking
# over FUZZ_TIMEOUT (25) s is a hang, and a failure (libFuzzer's own default waits 20 minutes).
fuzz-run: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	@echo "fuzzing the topology parser for $${FUZZ_SECONDS:-60} s (log: $(BUILD)/fuzz/log)"
	@$(BUILD)/fuzz/fuzz_topology -max_total_time=$${FUZZ_SECONDS:-60} -timeout=$${FUZZ_TIMEOUT:-25} -max_len=8192 \
		-dict=tests/fuzz/fuzz_topology.dict $(BUILD)/fuzz/corpus tests/fuzz/corpus examples \
		> $(BUILD)/fuzz/log 2>&1 || { tail -n 60 $(BUILD)/fuzz/log; echo "fuzz: FAILED"; exit 1; }
	@grep -E '^Done|stat::number_of_executed_units' $(BUILD)/fuzz/log | tail -n 2; echo "fuzz: no crash, leak or sanitizer report"
	@mkdir -p $(BUILD)/fuzz/corpus_lab_conf
	@echo "fuzzing the lab.conf reader for $${FUZZ_LABCONF_SECONDS:-30} s (log: $(BUILD)/fuzz/log_lab_conf)"
	@$(BUILD)/fuzz/fuzz_lab_conf -max_total_time=$${FUZZ_LABCONF_SECONDS:-30} -timeout=$${FUZZ_TIMEOUT:-25} -max_len=4096 \
		-dict=tests/fuzz/fuzz_lab_conf.dict $(BUILD)/fuzz/corpus_lab_conf tests/fuzz/corpus_lab_conf \
		> $(BUILD)/fuzz/log_lab_conf 2>&1 || { tail -n 60 $(BUILD)/fuzz/log_lab_conf; echo "fuzz: FAILED"; exit 1; }
	@grep -E '^Done|stat::number_of_executed_units' $(BUILD)/fuzz/log_lab_conf | tail -n 2; echo "fuzz: lab.conf: no crash, leak or sanitizer report"
	@for t in scenario:SCENARIO labfiles:LABFILES; do name=$${t%%:*}; var=FUZZ_$${t#*:}_SECONDS; \
		secs=$$(printenv $$var || echo 20); mkdir -p $(BUILD)/fuzz/corpus_$$name; \
		echo "fuzzing the $$name reader for $$secs s (log: $(BUILD)/fuzz/log_$$name)"; \
		$(BUILD)/fuzz/fuzz_$$name -max_total_time=$$secs -timeout=$${FUZZ_TIMEOUT:-25} -max_len=8192 -dict=tests/fuzz/fuzz_$$name.dict \
			$(BUILD)/fuzz/corpus_$$name tests/fuzz/corpus_$$name > $(BUILD)/fuzz/log_$$name 2>&1 || \
			{ tail -n 60 $(BUILD)/fuzz/log_$$name; echo "fuzz: $$name: FAILED"; exit 1; }; \
		grep -E '^Done|stat::number_of_executed_units' $(BUILD)/fuzz/log_$$name | tail -n 2; \
		echo "fuzz: $$name: no crash, leak or sanitizer report"; done

# Tests that need kernel features this machine lacks (sch_netem) or another cgroup layout (pure v2),
# in a stock Debian kernel under qemu (../shared/kernel-vm; skipped with a reason when absent).
VM_TESTS := tests/vm/run.sh tests/vm/netem_lab_run.sh tests/vm/cgroup_v2.sh tests/vm/cgroup_v2_lab.sh tests/vm/clab_links_run.sh tests/vm/vlan_run.sh tests/vm/no_ipv6_run.sh
vm-test: $(BUILD)/nslab $(BUILD)/tests/test_qdisc $(BUILD)/tests/test_cgroup
	@fail=0; for t in $(VM_TESTS); do echo "== $$t"; $$t -- --quiet; rc=$$?; \
		if [ $$rc = 77 ]; then echo "vm: $$t skipped"; elif [ $$rc != 0 ]; then echo "vm: $$t FAILED (rc $$rc)"; fail=1; \
		else echo "vm: $$t passed"; fi; done; exit $$fail

BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
INSTALLED := $(PREFIX)/bin/nslab $(PREFIX)/share/man/man1/nslab.1 $(BASH_COMPLETION_DIR)/nslab \
	$(PREFIX)/lib/nslab/kathara/bin/systemctl $(PREFIX)/lib/nslab/kathara/bin/service \
	$(PREFIX)/lib/nslab/kathara/init/quagga

install: $(BUILD)/nslab
	install -D -m 0755 $(BUILD)/nslab $(DESTDIR)$(PREFIX)/bin/nslab
	install -D -m 0644 docs/nslab.1 $(DESTDIR)$(PREFIX)/share/man/man1/nslab.1
	install -D -m 0755 scripts/kathara/bin/systemctl $(DESTDIR)$(PREFIX)/lib/nslab/kathara/bin/systemctl
	ln -sf systemctl $(DESTDIR)$(PREFIX)/lib/nslab/kathara/bin/service
	install -D -m 0755 scripts/kathara/init/quagga $(DESTDIR)$(PREFIX)/lib/nslab/kathara/init/quagga
	install -D -m 0644 completion/nslab.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/nslab

# Removes exactly what install put there.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

fmt:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TUI_SRC) $(wildcard */*.h) $(UNIT_SRC)

clean:
	rm -rf build build-asan

help:
	@echo "targets: all (default) unit integration corpus check asan fuzz fuzz-run stress stress-short vm-test bench install uninstall fmt clean"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Benchmark (root): bench/run.sh times nslab, the floor program and the iproute2 baseline; BENCH_QUICK=1 for N <= 1000.
BENCH_BIN := $(BUILD)/bench/floor $(BUILD)/bench/nsbench
$(BUILD)/bench/%: bench/%.c bench/witness.c bench/bench.h $(BUILD)/libnslab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< bench/witness.c $(BUILD)/libnslab.a $(LDLIBS)
.PHONY: bench
bench: $(BUILD)/nslab $(BENCH_BIN)
	bench/run.sh
