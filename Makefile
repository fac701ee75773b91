# SPDX-License-Identifier: GPL-2.0
#
# The mmap_prepare porting kit. "make help" lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := all

BUILD := $(CURDIR)/build
# Parallel jobs for the steps that run in parallel (modules, lab boots).
JOBS ?= $(shell nproc)
# Runs of each benchmark in "make bench" (the median is reported).
BENCH_REPEAT ?= 3
# Boots of "make bench-guest": one, or three when RECORD=1 writes the figures the guide shows.
BENCH_GUEST_BOOTS ?= $(if $(filter 1,$(RECORD)),3,1)
# Unpacked kernel trees and lab kernels, shared by every clone on this machine.
KIT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmap-prepare-kit
export KIT_CACHE KSRC KVER QEMU_ACCEL LAB_TIMEOUT

# Kernel patch series: one directory each under kernel/upstream/.
UPSTREAM_SERIES := $(sort $(patsubst kernel/upstream/%/,%,$(wildcard kernel/upstream/*/)))
# KERNEL=patched: modules and labs use the lab kernel built from the tree with
# kernel/upstream/$(SERIES)/ applied ("make upstream-check-$(SERIES)" builds
# it, and runs first); their output goes to build/patched/$(SERIES)/, apart
# from the default one's.
SERIES ?= mm
ifeq ($(KERNEL),patched)
KOBJ_MK := $(BUILD)/kernel-obj-patched-$(SERIES).mk
OUT := $(BUILD)/patched/$(SERIES)
else
KOBJ_MK := $(BUILD)/kernel-obj.mk
OUT := $(BUILD)
endif

# Debian packages: kernel build, lab guest, examples' checks, tests, slides.
# npm is installed by the slide targets only when missing: some nodejs
# builds ship it inside the nodejs package and conflict with Debian's npm.
PACKAGES := python3 gcc make libc6-dev flex bison bc libelf-dev libssl-dev xz-utils \
	perl cpio busybox-static qemu-system-x86 sparse libcmocka-dev pkg-config \
	python3-sphinx python3-yaml graphviz chromium patch diffutils nodejs \
	shellcheck pyflakes3 curl liburcu-dev git

LABS := $(sort $(patsubst labs/%/lab.conf,%,$(wildcard labs/*/lab.conf)))
# A variant is a directory with a Kbuild file: examples/<example>/<variant>/.
VARIANT_DIRS := $(sort $(patsubst %/Kbuild,%,$(wildcard examples/*/*/Kbuild)))
KERNEL_FILES := $(sort $(wildcard examples/*/*.h examples/*/*/*.[ch] compat/*.h))

# The grading layer (scripts/kit/): parsers, verdicts, reports.
KIT := PYTHONPATH=$(CURDIR)/scripts python3 -m kit
# The conversion assistant's driver (scripts/kit/assistant.py).
ASSISTANT := PYTHONPATH=$(CURDIR)/scripts python3 -m kit.assistant

# Recipes that need the kernel read what "source" and "kernel" resolved.
KENV = . $(BUILD)/kernel-source.mk && . $(KOBJ_MK) &&
# KSRC= on the command line wins over the kit's tree.
KENV_SRC = $(if $(KSRC),,. $(BUILD)/kernel-source.mk &&)

# What is derived from examples/ and labs/ (scripts/kit/layout.py), among it
# the example each lab grades: $(call example_of,02-pfn-remap) = pfn-remap.
# Without python3 yet (a fresh machine), "make deps" still works.
$(BUILD)/layout.mk: $(wildcard examples/ labs/ examples/*/ examples/*/*/ labs/*/) scripts/kit/layout.py
	@mkdir -p $(@D)
	@command -v python3 >/dev/null || { echo "make: python3 is missing: run 'make deps' first"; exit 1; }
	@$(KIT) layout make-vars . >$@.tmp && mv $@.tmp $@
-include $(BUILD)/layout.mk
example_of = $(LAB_EXAMPLE_$(1))
# Boot lab $(1) with its example's modules and its checker; results in build/labs/$(1).
run_lab = $(KENV) scripts/run-lab.sh labs/$(1) "$$KOBJ" \
	$(OUT)/modules/$(call example_of,$(1)) $(BUILD)/labs/$(1)/check $(OUT)/labs/$(1)

.PHONY: all help deps source served-kernels sparse kernel modules module-stamps checkers style labs lab lab-start lab-check \
	guided-check check lint kit-check tests fingerprints-update bench bench-guest htmldocs docs-check upstream-docs-check upstream-check slides \
	slides-check clean distclean verify-args verify verify-check verify-bench \
	matrix matrix-build matrix-versions cache-prune case-studies \
	coccinelle classify classify-data convert assistant-check assistant-full-check compare-data

all: staged-htmldocs labs ## the main job: deps, lab kernel, modules, docs, every lab, verdict table

help: ## list the targets
	@echo "Targets (variables: KSRC=/path/to/linux KVER=X.Y QEMU_ACCEL=auto|tcg|kvm LAB=name JOBS=n FORCE=1 KERNEL=patched SERIES=name FRESH=1):"
	@grep -hE '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 16
	@echo "Labs: $(LABS)"

deps: ## install the missing Debian packages (root or sudo)
	@scripts/deps.sh $(PACKAGES)

source: deps ## fetch the newest Debian linux-source >= 7.2 (or KVER=X.Y, KSRC=)
	@mkdir -p $(BUILD)
	@APT_DIR=$(BUILD)/apt scripts/fetch-kernel.sh $(BUILD)/kernel-source.mk

served-kernels: deps ## list the kernel series the Debian mirror serves (for KVER=X.Y)
	@mkdir -p $(BUILD)
	@APT_DIR=$(BUILD)/apt scripts/fetch-kernel.sh --served

ifeq ($(KERNEL),patched)
kernel: upstream-check-$(SERIES)
else
kernel: source ## build the lab kernel once per version + config fragment
	@. $(BUILD)/kernel-source.mk && \
		scripts/build-kernel.sh "$$KSRC" "$$KVER" kernel/lab.config \
		"$(KIT_CACHE)" $(BUILD)/kernel-obj.mk
endif

sparse: source ## a sparse the kernel accepts (built once if the system's is too old)
	@. $(BUILD)/kernel-source.mk && \
		APT_DIR=$(BUILD)/apt scripts/fetch-sparse.sh "$$KSRC" $(BUILD)/sparse.mk

modules: kernel sparse checkers ## build the example variants that changed (W=1, sparse, -Werror)
	@$(MAKE) --no-print-directory -j$(JOBS) module-stamps

# A variant's module is built from its directory, its example's shared
# headers, the lab kernel, sparse and the build script: it is rebuilt only
# when one of them changed, and variants build in parallel.
ifneq ($(filter module-stamps,$(MAKECMDGOALS)),)
include $(KOBJ_MK) $(BUILD)/sparse.mk
export KOBJ SPARSE
.SECONDEXPANSION:
example_dir = examples/$(firstword $(subst /, ,$(1)))
module-stamps: $(patsubst examples/%,$(OUT)/modules/%/.built,$(VARIANT_DIRS))
$(OUT)/modules/%/.built: $$(wildcard examples/$$*/*) $$(wildcard $$(call example_dir,$$*)/*.h) \
		$(KOBJ)/Module.symvers $(SPARSE) scripts/build-module.sh
	+@scripts/build-module.sh examples/$* $(@D) || { echo "modules: examples/$* failed"; exit 1; }
	@echo "  MODULE  examples/$* -> $$(ls $(@D)/*.ko)"
	@touch $@
endif

checkers: $(foreach l,$(LABS),$(BUILD)/labs/$(l)/check) ## build each lab's static userspace checker

# A checker is rebuilt when its source or a header it may include changed.
define checker_rule
$(BUILD)/labs/$(1)/check: labs/$(1)/check.c $(wildcard labs/common/*.h) \
		$(wildcard examples/$(call example_of,$(1))/*.h) | deps
	@mkdir -p $$(@D)
	@gcc -static -O2 -Wall -Wextra -Werror -Iexamples/$(call example_of,$(1)) \
		-Ilabs/common -o $$@ $$< || { echo "checkers: labs/$(1)/check.c does not build"; exit 1; }
endef
$(foreach l,$(LABS),$(eval $(call checker_rule,$(l))))

style: source ## checkpatch --strict and kernel-doc -Wall on every example file
	@. $(BUILD)/kernel-source.mk && export KSRC && scripts/style.sh $(BUILD) $(KERNEL_FILES) || \
		{ echo "style: checkpatch --strict or kernel-doc -Wall found problems above"; exit 1; }
	@echo "  STYLE   checkpatch --strict and kernel-doc -Wall clean: $(words $(KERNEL_FILES)) files"

labs: modules ## run every lab (JOBS guests at a time) and print the verdict table
	@$(MAKE) --no-print-directory -O -j$(JOBS) $(addprefix lab-run-,$(LABS)) || true
	@$(KENV) echo "Lab kernel: Linux $$KVER, $$KOBJ"; \
	$(KIT) verdict $(addprefix $(OUT)/labs/,$(LABS))

# One lab's boots; its verdicts are in build/labs/<lab>/result.json, which
# "labs" reads: a failed lab does not stop the others.
lab-run-%:
	@$(call run_lab,$*)

coccinelle: deps ## a Coccinelle (spatch >= 1.3) that parses the kernel, built once if needed
	@APT_DIR=$(BUILD)/apt scripts/fetch-coccinelle.sh $(BUILD)/coccinelle.mk

# The conversion assistant (Documentation/assistant.rst): KSRC= another
# tree, DIR= a subdirectory of it, FILE= one file of it.
classify: coccinelle ## classify every .mmap handler: build/classify.json and one line each
	@$(KENV_SRC) . $(BUILD)/coccinelle.mk && $(ASSISTANT) classify \
		--spatch "$$SPATCH" --ksrc "$$KSRC" --dir "$(DIR)" --file "$(FILE)" \
		--json $(BUILD)/classify.json

convert: coccinelle ## convert FILE=path/driver.c to .mmap_prepare: a diff (APPLY=1 writes it)
	@[ -n "$(FILE)" ] || { echo "convert: set FILE=path/to/driver.c"; exit 2; }
	@. $(BUILD)/coccinelle.mk && $(ASSISTANT) convert \
		--spatch "$$SPATCH" $(if $(APPLY),--apply) "$(FILE)"

assistant-check: kernel sparse checkers coccinelle ## the assistant: its tests, and patch mode graded on the examples
	@. $(BUILD)/coccinelle.mk && SPATCH="$$SPATCH" PYTHONPATH=$(CURDIR)/scripts python3 -m unittest -q kit.tests.spatch_fixtures
	@$(ASSISTANT) verify Documentation/data/classify.json
	@$(KENV) . $(BUILD)/sparse.mk && . $(BUILD)/coccinelle.mk && \
		export KSRC KOBJ SPARSE SPATCH && \
		scripts/assistant-check.sh $(BUILD)/assistant-check $(BUILD)/labs $(LABS)

classify-data: coccinelle ## refresh Documentation/data/classify.json from the kit's tree
	@. $(BUILD)/kernel-source.mk && . $(BUILD)/coccinelle.mk && $(ASSISTANT) \
		classify --spatch "$$SPATCH" --ksrc "$$KSRC" --json $(BUILD)/classify.json >/dev/null
	@$(ASSISTANT) verify $(BUILD)/classify.json
	@mkdir -p Documentation/data && cp $(BUILD)/classify.json Documentation/data/classify.json
	@echo "  DATA    Documentation/data/classify.json"

# Whole-tree checks, too long for "make check": classify the kit's tree,
# compile every file patch mode converts (allmodconfig), and compare patch
# mode with upstream's own conversions on older trees (OLD_KVERS).
OLD_KVERS ?= 6.12 6.18
# Patch mode against upstream: build/upstream-compare-X.Y.json per series.
upstream_compare = . $(BUILD)/coccinelle.mk && . $(BUILD)/kernel-source.mk && \
	for v in $(OLD_KVERS); do mkdir -p $(BUILD)/old-$$v && \
		KSRC= KVER=$$v APT_DIR=$(BUILD)/apt scripts/fetch-kernel.sh \
		$(BUILD)/old-$$v/kernel-source.mk && \
		old=$$(. $(BUILD)/old-$$v/kernel-source.mk && echo "$$KSRC") && \
		$(ASSISTANT) compare --spatch "$$SPATCH" --old "$$old" --new "$$KSRC" \
		--json $(BUILD)/upstream-compare-$$v.json | tail -n1 || exit 1; done
assistant-full-check: source coccinelle ## classify the tree, compile every conversion, compare with upstream
	@. $(BUILD)/kernel-source.mk && . $(BUILD)/coccinelle.mk && export KSRC SPATCH && \
		$(ASSISTANT) classify --spatch "$$SPATCH" --ksrc "$$KSRC" \
		--json $(BUILD)/classify.json >$(BUILD)/classify.txt && tail -n2 $(BUILD)/classify.txt && \
		$(ASSISTANT) verify $(BUILD)/classify.json && \
		scripts/assistant-compile.sh $(BUILD)/classify.json $(BUILD)/assistant-compile
	@$(upstream_compare)

compare-data: source coccinelle ## refresh Documentation/data/upstream-compare-X.Y.json (OLD_KVERS)
	@$(upstream_compare)
	@for v in $(OLD_KVERS); do cp $(BUILD)/upstream-compare-$$v.json Documentation/data/ && \
		echo "  DATA    Documentation/data/upstream-compare-$$v.json"; done

lab: modules ## run one lab: make lab LAB=01-flags
	@[ -n "$(LAB)" ] && [ -f labs/$(LAB)/lab.conf ] || \
		{ echo "lab: set LAB to one of: $(LABS)"; exit 1; }
	@$(call run_lab,$(LAB)) || true; $(KIT) verdict $(OUT)/labs/$(LAB)

lab-start: ## copy LAB's before driver to work/LAB with TODO markers (FORCE=1: start over, HINTS=0: titles only)
	@FORCE=$(FORCE) HINTS=$(HINTS) scripts/lab-start.sh "$(LAB)" work/$(LAB)

lab-check: kernel sparse checkers ## grade your copy in work/LAB: build, style, harness, QEMU
	@$(KENV) . $(BUILD)/sparse.mk && export KSRC KOBJ SPARSE && \
		scripts/lab-check.sh "$(LAB)" work/$(LAB) $(BUILD)/lab-check/$(LAB) \
		$(BUILD)/labs/$(LAB)/check

guided-check: kernel sparse checkers ## every lab: an untouched copy fails with hints, the solution passes, each mistake of labs/*/mistakes is caught and routed
	@$(KENV) . $(BUILD)/sparse.mk && export KSRC KOBJ SPARSE && \
		CHECKERS=$(BUILD)/labs scripts/guided-check.sh $(BUILD)/guided $(LABS)

lint: deps ## shellcheck and pyflakes3 on the kit's scripts, SPDX lines, shared plumbing, layout
	@$(KIT) lint $(CURDIR)
	@$(KIT) layout check $(CURDIR)
	@PYTHONPATH=$(CURDIR)/scripts python3 -m kit.guestbench check $(CURDIR) bench/mmap-cost.json

kit-check: source ## the grading layer's tests on recorded logs, kunit_parser as oracle
	@. $(BUILD)/kernel-source.mk && export KSRC && cd scripts && \
		python3 -m unittest discover -s kit/tests -t . 2>&1 | tail -n 3

tests: kernel ## the userspace harness suites (ASan+UBSan) and the API probe
	@$(KENV) $(MAKE) -s -C tests check BUILD=$(BUILD)/tests KSRC="$$KSRC" KVER="$$KVER" KOBJ="$$KOBJ"

fingerprints-update: source ## record KSRC as the kernel the harness models (after re-reading the model)
	@. $(BUILD)/kernel-source.mk && $(MAKE) -s -C tests model-update BUILD=$(BUILD)/tests KSRC="$$KSRC" KVER="$$KVER"

bench: modules verify-bench bench-guest coccinelle ## speed targets (warm make, lab-check, a lab boot), harness rates, verify's battery times, mmap() costs in the guest, assistant times
	@$(KENV) $(MAKE) -s -C tests bench BUILD=$(BUILD)/tests-bench KSRC="$$KSRC" KOBJ="$$KOBJ"
	@PYTHONPATH=$(CURDIR)/scripts python3 -m kit.bench $(CURDIR) $(BUILD)/bench $(BENCH_REPEAT)
	@$(KENV) . $(BUILD)/coccinelle.mk && export KSRC SPATCH && \
		scripts/assistant-bench.sh $(BUILD)/assistant-bench

# The in-guest benchmark: every example's before and after in one boot,
# mmap() + first touch + munmap and each failed mmap() timed
# (scripts/kit/guestbench.py). RECORD=1 also writes bench/mmap-cost.json,
# the figures the guide shows (commit it with the kernel it measured).
$(BUILD)/bench-guest/mmap-cost: bench/mmap-cost.c $(wildcard labs/common/*.h) | deps
	@mkdir -p $(@D)
	@gcc -static -O2 -Wall -Wextra -Werror -Ilabs/common -o $@ $< || \
		{ echo "bench-guest: bench/mmap-cost.c does not build"; exit 1; }

bench-guest: modules $(BUILD)/bench-guest/mmap-cost ## mmap() of each example timed in the guest, before vs after (RECORD=1: into bench/mmap-cost.json)
	@$(KENV) PYTHONPATH=$(CURDIR)/scripts python3 -m kit.guestbench run $(CURDIR) \
		$(BUILD)/bench-guest "$$KOBJ" $(BUILD)/bench-guest/mmap-cost --boots $(BENCH_GUEST_BOOTS) \
		$(if $(filter 1,$(RECORD)),--record $(CURDIR)/bench/mmap-cost.json)

htmldocs: source ## render the porting guide to build/htmldocs (sphinx-build -W)
	@$(MAKE) -s -C Documentation htmldocs BUILD=$(BUILD)

docs-check: source ## htmldocs, then headless Chromium checks of every page
	@$(MAKE) -s -C Documentation check BUILD=$(BUILD)

case-studies: source kit-check ## real handlers (STUDY=name for one): patched KASAN kernel, a boot per candidate, verdict table
	@. $(BUILD)/kernel-source.mk && \
		scripts/case-studies.sh "$$KSRC" "$$KVER" "$(KIT_CACHE)" $(BUILD)/case-studies $(STUDY)

upstream-docs-check: source ## apply Documentation/upstream/*.patch to the kernel and build its docs
	@$(MAKE) -s -C Documentation upstream-docs-check BUILD=$(BUILD)

# Every series, one after the other (each may build a kernel), all of them
# even when one fails.
upstream-check: source ## each kernel/upstream/*/ series on a copy of the kernel: vma tests, checkpatch, patched lab kernel
	@rc=0; for s in $(UPSTREAM_SERIES); do \
		$(MAKE) --no-print-directory upstream-check-$$s || rc=1; done; exit $$rc

# One series (upstream-check-mm, ...): results in build/upstream-check/NAME/
# and NAME.json, its lab kernel's KOBJ in build/kernel-obj-patched-NAME.mk.
upstream-check-%: source
	@test -d kernel/upstream/$* || { echo "make: no series kernel/upstream/$*/ (series: $(UPSTREAM_SERIES))"; exit 1; }
	@. $(BUILD)/kernel-source.mk && scripts/upstream-check.sh "$$KSRC" "$$KVER" \
		kernel/upstream/$* kernel/lab.config "$(KIT_CACHE)" $(BUILD)/upstream-check/$* \
		$(BUILD)/upstream-check/$*.json $(BUILD)/kernel-obj-patched-$*.mk

slides: deps ## build the talk's slides: build/slides/index.html and slides.pdf
	@command -v npm >/dev/null || scripts/deps.sh npm
	@$(MAKE) -s -C slides slides BUILD=$(BUILD)

slides-check: deps ## slides, then render every slide in headless Chromium and check it
	@command -v npm >/dev/null || scripts/deps.sh npm
	@$(MAKE) -s -C slides check BUILD=$(BUILD)

# make verify: a pair's name is the directory above AFTER (examples/X/after: X).
VERIFY_NAME = $(or $(NAME),$(shell n=$$(basename "$$(cd "$(AFTER)/.." 2>/dev/null && pwd)" | \
	tr -c 'a-z0-9\n-' -); echo "$${n:-pair}"))
# The battery, static, into $(1)/battery.
verify_battery = mkdir -p $(1) && gcc -static -O2 -Wall -Wextra -Werror -pthread -Ilabs/common \
	-o $(1)/battery verify/battery.c

verify-args:
	@[ -n "$(BEFORE)" ] && [ -n "$(AFTER)" ] || \
		{ echo "verify: set BEFORE=<dir> AFTER=<dir>, each a module source directory with a Kbuild file"; exit 1; }

verify: verify-args kernel sparse ## is AFTER's mmap the same as BEFORE's? BEFORE=dir AFTER=dir [DEV=/dev/x SETUP=prog]
	@$(call verify_battery,$(BUILD)/verify)
	@$(KENV) . $(BUILD)/sparse.mk && export KOBJ SPARSE && DEV="$(DEV)" SETUP="$(SETUP)" \
		verify/verify.sh $(BUILD)/verify "$(VERIFY_NAME)=$(BEFORE):$(AFTER)"

verify-check: kernel sparse ## verify every example pair (PASS) and every mutant in tests/verify-mutants (caught)
	@$(call verify_battery,$(BUILD)/verify-self)
	@python3 -m unittest -q verify.test_report
	@$(KENV) . $(BUILD)/sparse.mk && export KOBJ SPARSE && \
		verify/selftest.sh $(BUILD)/verify-self

verify-bench: kernel sparse ## make verify on every example pair: battery time per module, boot time
	@$(call verify_battery,$(BUILD)/verify-bench)
	@$(KENV) . $(BUILD)/sparse.mk && export KOBJ SPARSE && \
		verify/verify.sh $(BUILD)/verify-bench $(foreach d,$(sort $(dir $(wildcard examples/*/after/Kbuild))), \
			$(notdir $(patsubst %/after/,%,$(d)))=$(dir $(d:/=))before:$(d)) >/dev/null || true
	@python3 verify/bench.py $(BUILD)/verify-bench

check: staged-lint staged-style staged-kit-check staged-tests staged-docs-check staged-upstream-docs-check staged-upstream-check labs staged-verify-check staged-guided-check staged-slides-check staged-matrix-build staged-assistant-check ## every test: lint, style, grading layer, harness, docs, upstream doc and mm patches, labs, verify, guided labs, slides, kernel matrix build, conversion assistant

# "make" and "make check" run a long stage again only when one of its
# inputs changed (scripts/kit/stage.py; the labs do so in run-lab.sh): the
# kit's source tree (what git does not ignore), the build/*.mk files the
# stage reads and the kernels, trees and tools they name, the installed
# Debian packages, the variables below and those of the command line.
# FRESH=1 runs every stage; "make <stage>" always runs it.
STAGE_VARS := KERNEL SERIES KSRC KVER QEMU_ACCEL LAB_TIMEOUT LAB_STALL OLD_KVERS
STAGE_MK_lint :=
STAGE_MK_style := kernel-source
STAGE_MK_kit-check := kernel-source
STAGE_MK_tests := kernel-source $(basename $(notdir $(KOBJ_MK)))
STAGE_MK_htmldocs := kernel-source
STAGE_MK_docs-check := kernel-source
STAGE_MK_upstream-docs-check := kernel-source
STAGE_MK_upstream-check := kernel-source
STAGE_MK_verify-check := kernel-source $(basename $(notdir $(KOBJ_MK))) sparse
STAGE_MK_guided-check := kernel-source $(basename $(notdir $(KOBJ_MK))) sparse
STAGE_MK_slides-check :=
STAGE_MK_assistant-check := kernel-source $(basename $(notdir $(KOBJ_MK))) sparse coccinelle
STAGE_MK_matrix-build := sparse coccinelle
# The series the mirror serves and the private package lists that give each
# series' newest version (refreshed once a day) decide which trees it builds.
STAGE_IN_matrix-build = --val "served=$$(APT_DIR=$(BUILD)/apt scripts/fetch-kernel.sh --served)" \
	--in $(BUILD)/apt/lists
# What a stage leaves for others: gone, the stage runs again.
STAGE_OUT_htmldocs := $(BUILD)/htmldocs/index.html
STAGE_OUT_upstream-check := $(foreach s,$(notdir $(wildcard kernel/upstream/*)),\
	$(BUILD)/upstream-check/$(s).json $(BUILD)/kernel-obj-patched-$(s).mk)
staged-%: deps
	@PYTHONPATH=$(CURDIR)/scripts python3 -m kit.stage run $(OUT)/stages/$*.json $* \
		--tree $(CURDIR) $(foreach m,$(STAGE_MK_$*),--mk $(BUILD)/$(m).mk) \
		$(foreach o,$(STAGE_OUT_$*),--out $(o)) $(STAGE_IN_$*) \
		--in /var/lib/dpkg/status $(foreach v,$(STAGE_VARS),--val '$(v)=$($(v))') \
		--val 'command line=$(filter-out FRESH=% JOBS=%,$(MAKEOVERRIDES))' \
		-- $(MAKE) --no-print-directory $*

matrix: sparse checkers coccinelle ## every variant on every served kernel: build, boot the labs, table (long)
	@. $(BUILD)/sparse.mk && . $(BUILD)/coccinelle.mk && export SPARSE SPATCH && APT_DIR=$(BUILD)/apt CHECKERS=$(BUILD)/labs \
		MATRIX_BOOT=$(or $(MATRIX_BOOT),all) scripts/matrix.sh $(BUILD)/matrix

matrix-build: sparse checkers coccinelle ## every after/ variant compiled against every served kernel's headers
	@. $(BUILD)/coccinelle.mk && SPATCH="$$SPATCH" python3 tests/test_matrix.py -q
	@. $(BUILD)/sparse.mk && . $(BUILD)/coccinelle.mk && export SPARSE SPATCH && APT_DIR=$(BUILD)/apt CHECKERS=$(BUILD)/labs \
		MATRIX_BOOT=none MATRIX_VARIANTS=after scripts/matrix.sh $(BUILD)/matrix-build

matrix-versions: ## rewrite Documentation/versions.json from the trees the last matrix probed
	@ls $(BUILD)/matrix*/*/presence.json >/dev/null 2>&1 || \
		{ echo "matrix-versions: no probe results; run make matrix or make matrix-build"; exit 1; }
	@python3 scripts/matrix.py versions Documentation/versions.json $(BUILD)/matrix*/*/presence.json
	@echo "  VERSIONS Documentation/versions.json (commit it)"

cache-prune: ## remove cached trees and lab kernels unused for CACHE_DAYS days (default 30)
	@scripts/cache-prune.sh $(or $(CACHE_DAYS),30) \
		$$(cat $(BUILD)/kernel-source.mk $(BUILD)/kernel-obj.mk 2>/dev/null | sed -n 's/^K\(SRC\|OBJ\)=//p')

clean: ## remove build/ (the kernel cache in KIT_CACHE stays)
	rm -rf $(BUILD)

distclean: clean ## also remove the shared kernel cache (KIT_CACHE)
	rm -rf "$(KIT_CACHE)"
