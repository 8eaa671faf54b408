# libFuzzer targets for the shim's request parsing (issue 6): test/fuzz/fuzz_<name>.c, each
# built with clang from its own source and the shim sources it exercises (shim/), under ASan
# and UBSan, into test/fuzz/bin/<name>. `make fuzz` runs them (test/fuzz/run); so does
# `make test`, briefly. Included by the Makefile after shim/shim.mk (SHIM_CFLAGS, SHIM_LIBS).
FUZZ_CC = clang
FUZZ_TARGETS = $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_TARGETS:%=test/fuzz/bin/%)
# -Ishim: the harnesses include the shim's headers by their plain names.
FUZZ_CFLAGS = $(filter-out -O2,$(SHIM_CFLAGS)) -Ishim -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# The shim sources (shim/<name>.c) each target links.
fuzz_srcs_accept_encoding = accept_encoding
fuzz_srcs_auth_header = auth_header
fuzz_srcs_client_addr = client_addr
fuzz_srcs_form_query = request_fields url_decode reply errors
fuzz_srcs_json_body = request_fields url_decode reply errors
fuzz_srcs_routes = routes url_decode request_path
fuzz_srcs_static_path = static_files config secret_key
fuzz_srcs_url_decode = url_decode

define FUZZ_RULE
test/fuzz/bin/$(1): test/fuzz/fuzz_$(1).c $$(fuzz_srcs_$(1):%=shim/%.c) $$(wildcard shim/*.h) test/fuzz/fuzz.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(SHIM_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

EXTRA_CLEAN += test/fuzz/bin

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)
