# Builds the C runtime without Swift: libdlrt.so.1, libdlrt.a, dlrt.pc, and the C tests.
#   make demo            the README's first command: build `classify`, classify examples/digits
#   make                 the libraries
#   make test            C tests (every ISA forced in turn), sanitizers, then `swift test`
#   make test-c          C tests only
#   make install PREFIX=/usr/local
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
# The library version has one home, the C source that reports it.
VERSION := $(shell sed -n 's/^#define DLRT_VERSION_STRING "\(.*\)"$$/\1/p' CRuntime/runtime/model_api.c)
SOVER   := 1
OPT     ?= -O2
# Every function and object in its own section, so that the shared library's --gc-sections drops
# what no exported function reaches (the training-only backward kernels: 53 KB).
CFLAGS_COMMON := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
                 -fvisibility=hidden -fPIC -ffunction-sections -fdata-sections -D_POSIX_C_SOURCE=200809L -Iinclude
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = $(CFLAGS_COMMON) $(CFLAGS)
LDLIBS  := -lm -lpthread

SRCS := $(sort $(wildcard CRuntime/*/*.c))
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
# Code that runs once per model or session and scans no tensor data is built for size; the kernels,
# the steps, the CRC and the weight dequantization keep $(OPT). The session_*.c files are setup, lookups
# plus a loop over the steps and memcpy of inputs, outputs and states. An OPT=... on the command line wins.
COLD_SRCS := $(addprefix CRuntime/format/,attrs.c cursor.c dtype_check.c graph_check.c model_parse.c op_table.c) \
             $(addprefix CRuntime/runtime/,arena_plan.c int8_plan.c model_api.c selftest.c session.c session_state.c \
                                           session_tensors.c shape_infer.c status.c)
COLD_OPT := -Os
$(COLD_SRCS:%.c=$(BUILD)/%.o): OPT = $(COLD_OPT)
# ---- footprint (issue #8) ----
# The per-ISA kernel files are leaves: they call nothing that blocks, throws or calls back, so no
# unwinder (thread cancellation, a C++ caller's exception) ever walks through their frames; they are
# built without unwind tables (8 KB of .eh_frame). Every other file keeps them. The shared library keeps
# the linker's separate code pages (headers and read-only data not executable) although -z
# noseparate-code would save 4 KB: the library parses untrusted files, and executable data is gadgets.
LEAF_SRCS := $(addprefix CRuntime/gemm/,q8_avx2.c q8_avx512.c q8_neon.c q8_scalar.c \
                                        sgemm_avx2.c sgemm_avx512.c sgemm_neon.c sgemm_scalar.c) \
             $(addprefix CRuntime/ops/,depthwise_conv2d_avx2.c depthwise_conv2d_avx512.c depthwise_conv2d_neon.c vmath.c)
$(LEAF_SRCS:%.c=$(BUILD)/%.o): CFLAGS_COMMON += -fno-asynchronous-unwind-tables
# ---- end footprint ----
TEST_SRCS := $(sort $(wildcard Tests/CRuntimeTests/test_*.c))
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard Tests/CRuntimeTests/*.c))
TEST_BINS := $(TEST_SRCS:Tests/CRuntimeTests/%.c=$(BUILD)/tests/%)
HEADERS := $(wildcard CRuntime/*.h CRuntime/*/*.h include/*.h)

.PHONY: all lib demo test test-deps test-c test-c-programs test-sanitize test-swift test-symbols test-example test-example-generator test-example-text \
        test-warnings test-header test-footprint test-tsan test-abi-compat install clean symbols fuzz-model
all: lib
lib: $(BUILD)/libdlrt.so.$(SOVER) $(BUILD)/libdlrt.a $(BUILD)/dlrt.pc

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libdlrt.so.$(SOVER): $(OBJS) CRuntime/dlrt.map
	$(CC) -shared -Wl,-soname,libdlrt.so.$(SOVER) -Wl,--version-script=CRuntime/dlrt.map \
	      -Wl,--no-undefined -Wl,--gc-sections -o $@ $(OBJS) $(LDLIBS)
	ln -sf libdlrt.so.$(SOVER) $(BUILD)/libdlrt.so

$(BUILD)/libdlrt.a: $(OBJS)
	rm -f $@
	ar rcs $@ $(OBJS)

$(BUILD)/dlrt.pc: CRuntime/dlrt.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

# Tests link the static library, so they can reach the internal kernels too.
$(BUILD)/tests/%: Tests/CRuntimeTests/%.c $(TEST_SUPPORT) Tests/CRuntimeTests/test.h $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -ICRuntime -o $@ $< $(TEST_SUPPORT) $(BUILD)/libdlrt.a $(LDLIBS)

test-c: test-c-programs test-symbols test-abi-compat test-warnings test-header test-footprint test-tsan test-example test-example-generator test-example-text

test-c-programs: $(TEST_BINS)
	@sh tools/run-c-tests.sh $(BUILD) $(TEST_BINS)

# Only the ABI leaves the shared library: the exported list must match the committed one.
test-symbols: $(BUILD)/libdlrt.so.$(SOVER)
	@nm -D --defined-only $< | awk '$$2 == "T" {sub(/@.*/, "", $$3); print $$3}' | sort | diff -u CRuntime/dlrt.exports - \
	  && echo "symbols: 1 passed, 0 failed"

# The previous tagged release's example, built against its own header and library, runs the same
# with this library in place of its own; its source compiles against this header (tools/check-abi-compat.sh).
test-abi-compat: $(BUILD)/libdlrt.so.$(SOVER) $(BUILD)/seeds/small.dlrt
	@sh tools/check-abi-compat.sh $(BUILD) $(VERSION) $(BUILD)/seeds/small.dlrt $(BUILD)/seeds/small_int8.dlrt \
	  models/mnist-lenet5.dlrt models/cifar10-resnet20.dlrt models/cifar10-resnet20-int8.dlrt models/mnist-dcgan.dlrt models/mnist-acgan.dlrt

# Every runtime source compiles without a single warning under both gcc and clang (-Werror):
# objects go to $(BUILD)/warnings/<compiler>/, so a warning fails the build of that object.
WARN_SRCS := $(sort $(shell find CRuntime -name '*.c'))
WARN_CCS := gcc clang
define warn_rule
$$(BUILD)/warnings/$(1)/%.o: %.c $$(HEADERS)
	@mkdir -p $$(dir $$@)
	$(1) $$(CFLAGS_COMMON) -pedantic -Werror $$(OPT) -c $$< -o $$@
endef
$(foreach cc,$(WARN_CCS),$(eval $(call warn_rule,$(cc))))
# At the library's own optimisation levels: some warnings (-Wmaybe-uninitialized) depend on them.
$(foreach cc,$(WARN_CCS),$(COLD_SRCS:%.c=$(BUILD)/warnings/$(cc)/%.o)): OPT = $(COLD_OPT)

test-warnings: $(foreach cc,$(WARN_CCS),$(WARN_SRCS:%.c=$(BUILD)/warnings/$(cc)/%.o))
	@echo "warnings ($(WARN_CCS), $(words $(WARN_SRCS)) files, -Werror): $(words $(WARN_CCS)) passed, 0 failed"

# include/dlrt.h compiles alone as strict C99, C11 and C++11, and each program links against
# libdlrt.so (C++ through the header's extern "C") and checks the version it loads.
HEADER_TEST_FLAGS = -Wall -Wextra -pedantic -Werror -Iinclude -DDLRT_EXPECTED_VERSION='"$(VERSION)"'
HEADER_TEST_LINK = -L$(BUILD) -ldlrt -Wl,-rpath,$(abspath $(BUILD))
HEADER_TESTS := $(BUILD)/header/c99 $(BUILD)/header/c11 $(BUILD)/header/c++11
$(BUILD)/header/c99 $(BUILD)/header/c11: $(BUILD)/header/%: Tests/CRuntimeTests/header/header_c.c include/dlrt.h $(BUILD)/libdlrt.so.$(SOVER)
	@mkdir -p $(dir $@)
	$(CC) -std=$* $(HEADER_TEST_FLAGS) $< $(HEADER_TEST_LINK) -o $@
$(BUILD)/header/c++11: Tests/CRuntimeTests/header/header_cxx.cpp include/dlrt.h $(BUILD)/libdlrt.so.$(SOVER)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 $(HEADER_TEST_FLAGS) $< $(HEADER_TEST_LINK) -o $@

test-header: $(HEADER_TESTS)
	@for t in $^; do $$t || exit 1; done && echo "header (c99 c11 c++11): $(words $^) passed, 0 failed"

# The stripped shared library stays within its byte budget and needs only the libraries the budget names.
test-footprint: $(BUILD)/libdlrt.so.$(SOVER)
	@sh tools/check-footprint.sh $< tools/footprint.budget

# Both fuzz seeds (f32 and int8) come from one writer.
$(BUILD)/seeds/small.dlrt $(BUILD)/seeds/small_int8.dlrt &: tools/fuzz/make_seeds.c $(TEST_SUPPORT) $(BUILD)/libdlrt.a
	@mkdir -p $(BUILD)/seeds
	$(CC) $(ALL_CFLAGS) -ICRuntime -o $(BUILD)/make_seeds $< $(TEST_SUPPORT) $(BUILD)/libdlrt.a $(LDLIBS)
	$(BUILD)/make_seeds $(BUILD)/seeds

# Examples are built as a C user would: plain cc against the installed header, library and dlrt.pc.
#   $(call build_example,SOURCE,PROGRAM[,CFLAGS,PKG-CONFIG PACKAGES])
EXAMPLE_PREFIX = $(abspath $(BUILD))/prefix
define build_example
	@rm -rf $(EXAMPLE_PREFIX)
	@$(MAKE) --no-print-directory install PREFIX=$(EXAMPLE_PREFIX) BUILD=$(BUILD) > /dev/null
	cc $(3) $(1) $$(PKG_CONFIG_PATH=$(EXAMPLE_PREFIX)/lib/pkgconfig pkg-config --cflags --libs dlrt $(4)) -lm \
	   -Wl,-rpath,$(EXAMPLE_PREFIX)/lib -o $(2)
endef

test-example: lib $(BUILD)/seeds/small.dlrt
	$(call build_example,examples/run_model.c,$(BUILD)/run_model)
	$(BUILD)/run_model $(BUILD)/seeds/small.dlrt > $(BUILD)/run_model.out
	@grep -q "output prob \[1x3\]" $(BUILD)/run_model.out && echo "example: 1 passed, 0 failed"

# examples/sample_generator.c, built the same way, samples the bundled generators (DCGAN, and the AC-GAN
# with its class code) into PGM grids, and built with libpng, into a PNG:
# 16 tiles of 28x28 with 2-pixel borders make a 122x122 image (after a PGM's 15-byte header).
test-example-generator: lib
	$(call build_example,examples/sample_generator.c,$(BUILD)/sample_generator)
	@for model in mnist-dcgan mnist-acgan; do \
	  $(BUILD)/sample_generator models/$$model.dlrt $(BUILD)/$$model.pgm 16 0 > /dev/null \
	  && [ "$$(head -c 15 $(BUILD)/$$model.pgm | tr '\n' ' ')" = "P5 122 122 255 " ] \
	  && [ $$(wc -c < $(BUILD)/$$model.pgm) -eq 14899 ] || { echo "example generator: $$model failed"; exit 1; }; \
	done
	$(call build_example,examples/sample_generator.c,$(BUILD)/sample_generator_png,-DWITH_LIBPNG,libpng)
	@$(BUILD)/sample_generator_png models/mnist-acgan.dlrt $(BUILD)/mnist-acgan.png 16 0 > /dev/null \
	  && [ "$$(od -An -tx1 -N24 $(BUILD)/mnist-acgan.png | tr -d ' \n')" = "89504e470d0a1a0a0000000d494844520000007a0000007a" ] \
	  || { echo "example generator: the PNG is not a 122x122 PNG"; exit 1; }
	@echo "example generator: 3 passed, 0 failed"

# examples/generate_text.c, built the same way, samples the bundled character model through the C ABI
# with kept recurrent state; its text must be dlgen's for the same prime, length, temperature and seed
# (examples/generate_text.expected: `dlgen models/shakespeare-charlstm.dlrt --prime ROMEO: --length 200
# --temperature 0.8 --seed 7`; regenerate it when the model changes).
test-example-text: lib
	$(call build_example,examples/generate_text.c,$(BUILD)/generate_text)
	$(BUILD)/generate_text models/shakespeare-charlstm.dlrt "ROMEO:" 200 0.8 7 > $(BUILD)/generate_text.out
	@cmp -s $(BUILD)/generate_text.out examples/generate_text.expected && echo "example text: 1 passed, 0 failed" \
	  || { echo "example text: generate_text differs from examples/generate_text.expected"; exit 1; }

# The main job: install what is missing (or say how), build `classify`, and read
# the digits this project draws (examples/digits) with the bundled LeNet-5.
demo:
	@sh tools/install-deps.sh
	swift build -c release --product classify
	.build/release/classify --model models/mnist-lenet5.dlrt examples/digits

# libFuzzer target for the loader plus one run (clang from the Swift toolchain has -fsanitize=fuzzer).
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz-model: $(BUILD)/seeds/small.dlrt $(BUILD)/seeds/small_int8.dlrt
	@mkdir -p build-fuzz/corpus
	clang $(CFLAGS_COMMON) $(FUZZ_FLAGS) -ICRuntime -o build-fuzz/fuzz_model tools/fuzz/fuzz_model.c \
	      Tests/CRuntimeTests/model_builder.c $(SRCS) $(LDLIBS)
	cp $(BUILD)/seeds/small.dlrt $(BUILD)/seeds/small_int8.dlrt Tests/Fixtures/*.dlrt build-fuzz/corpus/

# ---- fuzz-image, fuzz-checkpoint (tools/fuzz/README.md) ----
# Each target builds its fuzzer, writes its seeds into build-fuzz/corpus-<name> and adds the inputs
# that once crashed it (tools/fuzz/regressions/<name>/); fuzz-replay runs those inputs once each.
FUZZ_IMAGE_SRCS := Sources/CImageCodecs/common.c Sources/CImageCodecs/png.c Sources/CImageCodecs/jpeg.c
FUZZ_IMAGE_PKG = $(shell pkg-config --cflags --libs libpng libjpeg)
FUZZ_CKPT_SCRATCH ?= /tmp/build-fuzz-ckpt-swift
.PHONY: fuzz-image fuzz-checkpoint fuzz-replay
fuzz-image:
	@mkdir -p build-fuzz/corpus-image
	clang $(CFLAGS_COMMON) $(FUZZ_FLAGS) -ISources/CImageCodecs/include -o build-fuzz/fuzz_image \
	      tools/fuzz/fuzz_image.c $(FUZZ_IMAGE_SRCS) $(FUZZ_IMAGE_PKG)
	clang $(CFLAGS_COMMON) -O1 -o build-fuzz/make_image_seeds tools/fuzz/make_image_seeds.c $(FUZZ_IMAGE_PKG)
	build-fuzz/make_image_seeds build-fuzz/corpus-image
	@if [ -d tools/fuzz/regressions/image ]; then cp tools/fuzz/regressions/image/* build-fuzz/corpus-image/; fi

# The checkpoint reader is Swift: its own package (tools/fuzz/checkpoint) over the root one, built by
# SwiftPM with libFuzzer and ASan; the binary writes its own seeds (DLRT_FUZZ_CHECKPOINT_SEEDS).
# SwiftPM 6.3's --sanitize=fuzzer links libFuzzer but leaves the Swift code without coverage
# counters; -Xswiftc -sanitize=fuzzer adds them.
fuzz-checkpoint:
	@mkdir -p build-fuzz/corpus-checkpoint
	cd tools/fuzz/checkpoint && swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer \
	  --scratch-path $(FUZZ_CKPT_SCRATCH) --disable-build-manifest-caching
	cp $(FUZZ_CKPT_SCRATCH)/release/fuzz_checkpoint build-fuzz/fuzz_checkpoint
	DLRT_FUZZ_CHECKPOINT_SEEDS=build-fuzz/corpus-checkpoint build-fuzz/fuzz_checkpoint
	@if [ -d tools/fuzz/regressions/checkpoint ]; then cp tools/fuzz/regressions/checkpoint/* build-fuzz/corpus-checkpoint/; fi

fuzz-replay:
	@for t in model image checkpoint; do \
	  if [ -d tools/fuzz/regressions/$$t ]; then build-fuzz/fuzz_$$t -runs=0 tools/fuzz/regressions/$$t || exit 1; fi; \
	done
# ---- end fuzz-image, fuzz-checkpoint ----

# The whole C suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize:
	$(MAKE) BUILD=build-asan CC=clang OPT=-O1 \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDLIBS="-lm -lpthread -fsanitize=address,undefined" test-c-programs

# The threaded tests again, runtime and tests built with ThreadSanitizer; any report fails them. gcc:
# the Swift toolchain's clang links a TSan runtime that needs libdispatch.
TSAN_TESTS := test_concurrency test_pool
test-tsan:
	$(MAKE) BUILD=$(BUILD)-tsan CC=gcc OPT=-O1 CFLAGS="-O1 -g -fsanitize=thread" \
	  LDLIBS="-lm -lpthread -fsanitize=thread" $(TSAN_TESTS:%=$(BUILD)-tsan/tests/%)
	TSAN_OPTIONS=halt_on_error=1 sh tools/run-c-tests.sh $(BUILD)-tsan $(TSAN_TESTS:%=$(BUILD)-tsan/tests/%)

# Swift tests, then the SwiftPM-built libdlrt.so must export exactly the same ABI as make's.
test-swift:
	swift test
	swift build --product dlrt
	@nm -D --defined-only .build/debug/libdlrt.so | awk '$$2 == "T" {sub(/@.*/, "", $$3); print $$3}' | sort \
	  | diff -u CRuntime/dlrt.exports - && echo "swiftpm-symbols: 1 passed, 0 failed"

test: test-deps test-c test-sanitize test-swift

test-deps:
	@sh tools/install-deps.sh --test

symbols: $(BUILD)/libdlrt.so.$(SOVER)
	@nm -D --defined-only $< | awk '$$2 == "T" {sub(/@.*/, "", $$3); print $$3}' | sort

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/dlrt.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/libdlrt.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libdlrt.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/libdlrt.so
	install -m 644 $(BUILD)/libdlrt.a $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' CRuntime/dlrt.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/dlrt.pc

clean:
	rm -rf $(BUILD) $(BUILD)-tsan build-asan

# ---- portability and hostile inputs (issue #8): test-neon, test-valgrind, the hostile corpus ----
#   make test-neon              every C test program cross-built for aarch64 and run under qemu-user
#                               (tools/run-neon-tests.sh says which CPUs and ISAs)
#   make test-valgrind          every C test program under valgrind memcheck (slow: see VALGRIND_CI_TESTS)
#   make test-valgrind-ci       the loader, format, error-path and hostile-corpus programs under valgrind
#   make test-hostile-images    the hostile images through Sources/CImageCodecs (links libpng, libjpeg)
#   make hostile-corpus         rewrites Tests/Fixtures/hostile from tools/hostile/*.c
#   make test-hostile-fresh     the committed models are what tools/hostile/make_models.c writes today
.PHONY: test-neon test-valgrind test-valgrind-ci test-hostile-images hostile-corpus test-hostile-fresh clean-neon
CROSS_CC ?= aarch64-linux-gnu-gcc
NEON_BUILD = $(BUILD)-neon
# The runtime and tests built by the rules above with the cross compiler (-Werror, as test-warnings
# on x86); dynamically linked, as test_no_malloc's malloc interposition needs.
test-neon:
	@command -v $(CROSS_CC) > /dev/null || { echo "$(CROSS_CC) not found: tools/install-deps.sh --test"; exit 2; }
	$(MAKE) --no-print-directory BUILD=$(NEON_BUILD) CC=$(CROSS_CC) CFLAGS='$$(OPT) -g -Werror' \
	  $(TEST_BINS:$(BUILD)/%=$(NEON_BUILD)/%)
	@sh tools/run-neon-tests.sh $(NEON_BUILD)

# The loader, format, refusal, session, model and hostile-corpus programs, and the int8 and forward
# op kernels (about 80 s in all); the f32 GEMM, backward-op, pool, embedding and concurrency programs
# take minutes each under valgrind (the whole suite: make test-valgrind).
VALGRIND_CI_TESTS := test_hostile_corpus test_format test_int8_refusals test_session test_session_tensors \
                     test_arena_plan test_no_malloc test_golden test_int8_model test_recurrent \
                     test_recurrent_golden test_recurrent_int8 test_int8 test_int8_gemm test_ops
test-valgrind: $(TEST_BINS) $(BUILD)/hostile/test_hostile_images
	@sh tools/run-valgrind-tests.sh $^
test-valgrind-ci: $(VALGRIND_CI_TESTS:%=$(BUILD)/tests/%) $(BUILD)/hostile/test_hostile_images
	@sh tools/run-valgrind-tests.sh $^

HOSTILE := Tests/Fixtures/hostile
CODEC_SRCS := $(sort $(wildcard Sources/CImageCodecs/*.c))
CODEC_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) -g -ISources/CImageCodecs/include -ITests/CRuntimeTests
CODEC_LIBS = $(shell pkg-config --libs libpng libjpeg 2>/dev/null || echo -lpng16 -ljpeg) -lz
$(BUILD)/hostile/make_models: tools/hostile/make_models.c tools/hostile/corpus_writer.h $(TEST_SUPPORT) $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -ICRuntime -ITests/CRuntimeTests -o $@ $< $(TEST_SUPPORT) $(BUILD)/libdlrt.a $(LDLIBS)
$(BUILD)/hostile/make_images: tools/hostile/make_images.c $(CODEC_SRCS) tools/hostile/corpus_writer.h
	@mkdir -p $(dir $@)
	$(CC) $(CODEC_FLAGS) -o $@ $(filter %.c,$^) $(CODEC_LIBS)
$(BUILD)/hostile/test_hostile_images: Tests/CImageCodecsTests/test_hostile_images.c Tests/CRuntimeTests/hostile_manifest.c $(CODEC_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(CODEC_FLAGS) -o $@ $^ $(CODEC_LIBS)

test-hostile-images: $(BUILD)/hostile/test_hostile_images
	$<

hostile-corpus: $(BUILD)/hostile/make_models $(BUILD)/hostile/make_images
	@rm -rf $(HOSTILE)/models $(HOSTILE)/images && mkdir -p $(HOSTILE)/models $(HOSTILE)/images
	$(BUILD)/hostile/make_models $(HOSTILE)/models
	$(BUILD)/hostile/make_images $(HOSTILE)/images
# Models only: the images' bytes depend on the system's zlib and libjpeg versions.
test-hostile-fresh: $(BUILD)/hostile/make_models
	@rm -rf $(BUILD)/hostile/fresh && mkdir -p $(BUILD)/hostile/fresh
	$(BUILD)/hostile/make_models $(BUILD)/hostile/fresh
	@diff -r $(HOSTILE)/models $(BUILD)/hostile/fresh && echo "hostile models: reproduced by tools/hostile/make_models.c, 1 passed, 0 failed"

# The README's test command runs these too (CI: .ci/run); test-valgrind-ci runs test-hostile-images' program.
test: test-neon test-valgrind-ci test-hostile-fresh
clean: clean-neon
clean-neon:
	rm -rf $(NEON_BUILD)
# ---- end of issue #8 block ----
