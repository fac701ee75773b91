# SPDX-License-Identifier: GPL-2.0
#
# The mmap_prepare porting kit. "make help" lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := all

BUILD := $(CURDIR)/build
# Unpacked kernel trees and lab kernels, shared by every clone on this machine.
KIT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mmap-prepare-kit
export KIT_CACHE KSRC KVER QEMU_ACCEL LAB_TIMEOUT

# Debian packages: kernel build, lab guest, examples' checks, tests, slides.
# npm is installed by the slide targets only when missing: some nodejs
# builds ship it inside the nodejs package and conflict with Debian's npm.
PACKAGES := gcc make libc6-dev flex bison bc libelf-dev libssl-dev xz-utils \
	perl cpio busybox-static qemu-system-x86 sparse libcmocka-dev pkg-config \
	python3-sphinx python3-yaml graphviz chromium patch diffutils nodejs curl

LABS := $(sort $(patsubst labs/%/lab.conf,%,$(wildcard labs/*/lab.conf)))
# A variant is a directory with a Kbuild file: examples/<example>/<variant>/.
VARIANT_DIRS := $(sort $(patsubst %/Kbuild,%,$(wildcard examples/*/*/Kbuild)))
KERNEL_FILES := $(sort $(wildcard examples/*/*.h examples/*/*/*.[ch]))

# Recipes that need the kernel read what "source" and "kernel" resolved.
KENV = . $(BUILD)/kernel-source.mk && . $(BUILD)/kernel-obj.mk &&
# KSRC= on the command line wins over the kit's tree.
KENV_SRC = $(if $(KSRC),,. $(BUILD)/kernel-source.mk &&)

# Lab NN-name grades examples/name: $(call example_of,02-pfn-remap) = pfn-remap.
example_of = $(patsubst $(firstword $(subst -, ,$(1)))-%,%,$(1))
# Boot lab $(1) with its example's modules and its checker; results in build/labs/$(1).
run_lab = $(KENV) scripts/run-lab.sh labs/$(1) "$$KOBJ" \
	$(BUILD)/modules/$(call example_of,$(1)) $(BUILD)/labs/$(1)/check $(BUILD)/labs/$(1)

.PHONY: all help deps source served-kernels sparse kernel modules checkers style labs lab lab-start lab-check \
	guided-check check tests bench htmldocs docs-check upstream-docs-check slides \
	slides-check clean distclean coccinelle classify classify-data convert assistant-check \
	assistant-full-check

all: htmldocs labs ## the main job: deps, lab kernel, modules, docs, every lab, verdict table

help: ## list the targets
	@echo "Targets (variables: KSRC=/path/to/linux KVER=X.Y QEMU_ACCEL=tcg|kvm LAB=name FORCE=1):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
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

kernel: source ## build the lab kernel once per version + config fragment
	@. $(BUILD)/kernel-source.mk && \
		scripts/build-kernel.sh "$$KSRC" "$$KVER" kernel/lab.config \
		"$(KIT_CACHE)" $(BUILD)/kernel-obj.mk

sparse: source ## a sparse the kernel accepts (built once if the system's is too old)
	@. $(BUILD)/kernel-source.mk && \
		APT_DIR=$(BUILD)/apt scripts/fetch-sparse.sh "$$KSRC" $(BUILD)/sparse.mk

modules: kernel sparse checkers ## build every example variant (W=1, sparse, -Werror)
	@$(KENV) . $(BUILD)/sparse.mk && export KOBJ SPARSE && for d in $(VARIANT_DIRS); do \
		o=$(BUILD)/modules/$${d#examples/}; \
		scripts/build-module.sh $$d $$o || { echo "modules: $$d failed"; exit 1; }; \
		echo "  MODULE  $$d -> $$(ls $$o/*.ko)"; \
	done

checkers: deps ## build each lab's static userspace checker
	@$(foreach l,$(LABS),mkdir -p $(BUILD)/labs/$(l) && \
		gcc -static -O2 -Wall -Wextra -Werror -Iexamples/$(call example_of,$(l)) \
			-Ilabs/common -o $(BUILD)/labs/$(l)/check labs/$(l)/check.c || \
		{ echo "checkers: labs/$(l)/check.c does not build"; exit 1; };)

style: source ## checkpatch --strict and kernel-doc -Wall on every example file
	@. $(BUILD)/kernel-source.mk && export KSRC && scripts/style.sh $(BUILD) $(KERNEL_FILES) || \
		{ echo "style: checkpatch --strict or kernel-doc -Wall found problems above"; exit 1; }
	@echo "  STYLE   checkpatch --strict and kernel-doc -Wall clean: $(words $(KERNEL_FILES)) files"

coccinelle: deps ## a Coccinelle (spatch >= 1.3) that parses the kernel, built once if needed
	@APT_DIR=$(BUILD)/apt scripts/fetch-coccinelle.sh $(BUILD)/coccinelle.mk

# The conversion assistant (Documentation/assistant.rst): KSRC= another
# tree, DIR= a subdirectory of it, FILE= one file of it.
classify: coccinelle ## classify every .mmap handler: build/classify.json and one line each
	@$(KENV_SRC) . $(BUILD)/coccinelle.mk && python3 scripts/mmap_assistant.py classify \
		--spatch "$$SPATCH" --ksrc "$$KSRC" --dir "$(DIR)" --file "$(FILE)" \
		--json $(BUILD)/classify.json

convert: coccinelle ## convert FILE=path/driver.c to .mmap_prepare: a diff (APPLY=1 writes it)
	@[ -n "$(FILE)" ] || { echo "convert: set FILE=path/to/driver.c"; exit 2; }
	@. $(BUILD)/coccinelle.mk && python3 scripts/mmap_assistant.py convert \
		--spatch "$$SPATCH" $(if $(APPLY),--apply) "$(FILE)"

assistant-check: kernel sparse checkers coccinelle ## the assistant: its tests, and patch mode graded on the examples
	@python3 -m unittest -q scripts/test_mmap_assistant.py
	@. $(BUILD)/coccinelle.mk && SPATCH="$$SPATCH" python3 -m unittest -q scripts/test_mmap_cocci.py
	@python3 scripts/mmap_assistant.py verify Documentation/data/classify.json
	@$(KENV) . $(BUILD)/sparse.mk && . $(BUILD)/coccinelle.mk && \
		export KSRC KOBJ SPARSE SPATCH EXPECT_03_lock_abort="lock reference" && \
		scripts/assistant-check.sh $(BUILD)/assistant-check $(BUILD)/labs $(LABS)

classify-data: coccinelle ## refresh Documentation/data/classify.json from the kit's tree
	@. $(BUILD)/kernel-source.mk && . $(BUILD)/coccinelle.mk && python3 scripts/mmap_assistant.py \
		classify --spatch "$$SPATCH" --ksrc "$$KSRC" --json $(BUILD)/classify.json >/dev/null
	@python3 scripts/mmap_assistant.py verify $(BUILD)/classify.json
	@mkdir -p Documentation/data && cp $(BUILD)/classify.json Documentation/data/classify.json
	@echo "  DATA    Documentation/data/classify.json"

# Whole-tree checks, too long for "make check": classify the kit's tree,
# compile every file patch mode converts (allmodconfig), and compare patch
# mode with upstream's own conversions on an older tree (OLD_KVER).
OLD_KVER ?= 6.12
assistant-full-check: source coccinelle ## classify the tree, compile every conversion, compare with upstream
	@. $(BUILD)/kernel-source.mk && . $(BUILD)/coccinelle.mk && export KSRC SPATCH && \
		python3 scripts/mmap_assistant.py classify --spatch "$$SPATCH" --ksrc "$$KSRC" \
		--json $(BUILD)/classify.json >$(BUILD)/classify.txt && tail -n2 $(BUILD)/classify.txt && \
		python3 scripts/mmap_assistant.py verify $(BUILD)/classify.json && \
		scripts/assistant-compile.sh $(BUILD)/classify.json $(BUILD)/assistant-compile
	@mkdir -p $(BUILD)/old-$(OLD_KVER) && \
		KSRC= KVER=$(OLD_KVER) APT_DIR=$(BUILD)/apt scripts/fetch-kernel.sh \
		$(BUILD)/old-$(OLD_KVER)/kernel-source.mk && \
		. $(BUILD)/coccinelle.mk && old=$$(. $(BUILD)/old-$(OLD_KVER)/kernel-source.mk && \
		echo "$$KSRC") && . $(BUILD)/kernel-source.mk && python3 scripts/mmap_assistant.py \
		compare --spatch "$$SPATCH" --old "$$old" --new "$$KSRC" \
		--json $(BUILD)/upstream-compare-$(OLD_KVER).json

labs: modules ## run every lab and print the verdict table
	@rc=0; $(foreach l,$(LABS),$(call run_lab,$(l)) || rc=1;) \
	$(KENV) echo "Lab kernel: Linux $$KVER, $$KOBJ"; \
	scripts/verdict.sh $(addprefix $(BUILD)/labs/,$(LABS)) && [ $$rc = 0 ]

lab: modules ## run one lab: make lab LAB=01-flags
	@[ -n "$(LAB)" ] && [ -f labs/$(LAB)/lab.conf ] || \
		{ echo "lab: set LAB to one of: $(LABS)"; exit 1; }
	@$(call run_lab,$(LAB)) || true; scripts/verdict.sh $(BUILD)/labs/$(LAB)

lab-start: ## copy LAB's before driver to work/LAB with TODO markers (FORCE=1: start over)
	@FORCE=$(FORCE) scripts/lab-start.sh "$(LAB)" work/$(LAB)

lab-check: kernel sparse checkers ## grade your copy in work/LAB: build, style, harness, QEMU
	@$(KENV) . $(BUILD)/sparse.mk && export KSRC KOBJ SPARSE && \
		scripts/lab-check.sh "$(LAB)" work/$(LAB) $(BUILD)/lab-check/$(LAB) \
		$(BUILD)/labs/$(LAB)/check

guided-check: kernel sparse checkers ## every lab: an untouched copy fails with hints, the solution passes
	@$(KENV) . $(BUILD)/sparse.mk && export KSRC KOBJ SPARSE && \
		CHECKERS=$(BUILD)/labs scripts/guided-check.sh $(BUILD)/guided $(LABS)

tests: kernel ## the userspace harness suites (ASan+UBSan) and the API probe
	@$(KENV) $(MAKE) -s -C tests check BUILD=$(BUILD)/tests KSRC="$$KSRC" KOBJ="$$KOBJ"

bench: kernel coccinelle ## harness build/run times and scenario rates; assistant classify/convert times
	@$(KENV) $(MAKE) -s -C tests bench BUILD=$(BUILD)/tests-bench KSRC="$$KSRC" KOBJ="$$KOBJ"
	@$(KENV) . $(BUILD)/coccinelle.mk && export KSRC SPATCH && \
		scripts/assistant-bench.sh $(BUILD)/assistant-bench

htmldocs: source ## render the porting guide to build/htmldocs (sphinx-build -W)
	@$(MAKE) -s -C Documentation htmldocs BUILD=$(BUILD)

docs-check: source ## htmldocs, then headless Chromium checks of every page
	@$(MAKE) -s -C Documentation check BUILD=$(BUILD)

upstream-docs-check: source ## apply Documentation/upstream/*.patch to the kernel and build its docs
	@$(MAKE) -s -C Documentation upstream-docs-check BUILD=$(BUILD)

slides: deps ## build the talk's slides: build/slides/index.html and slides.pdf
	@command -v npm >/dev/null || scripts/deps.sh npm
	@$(MAKE) -s -C slides slides BUILD=$(BUILD)

slides-check: deps ## slides, then render every slide in headless Chromium and check it
	@command -v npm >/dev/null || scripts/deps.sh npm
	@$(MAKE) -s -C slides check BUILD=$(BUILD)

check: style tests docs-check upstream-docs-check labs guided-check slides-check assistant-check ## every test: style, harness, docs, upstream patches, labs, guided labs, slides

clean: ## remove build/ (the kernel cache in KIT_CACHE stays)
	rm -rf $(BUILD)

distclean: clean ## also remove the shared kernel cache (KIT_CACHE)
	rm -rf "$(KIT_CACHE)"
