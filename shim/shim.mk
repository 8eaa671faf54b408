# The HTTP shim: its own flags, apart from the extension's server-side ones.
SHIM = shim/ticketmonster-web
SHIM_SRCS = $(filter-out shim/fuzz_%.c,$(wildcard shim/*.c))
SHIM_OBJS = $(SHIM_SRCS:.c=.o)
# Route rows leave their optional trailing fields out (zero), as the extension's tables do.
SHIM_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	$(shell pkg-config --cflags libmicrohttpd jansson libpq)
SHIM_LIBS = $(shell pkg-config --libs libmicrohttpd jansson libpq) -lcrypto -lpthread

shim/%.o: shim/%.c $(wildcard shim/*.h)
	$(CC) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM): $(SHIM_OBJS)
	$(CC) -o $@ $^ $(SHIM_LIBS)

# The same shim under AddressSanitizer and UndefinedBehaviorSanitizer (LeakSanitizer included),
# for test/http/run-asan. Built from the sources in one step so no plain object leaks in.
SHIM_ASAN = shim/ticketmonster-web-asan
SHIM_ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1

$(SHIM_ASAN): $(SHIM_SRCS) $(wildcard shim/*.h)
	$(CC) $(filter-out -O2,$(SHIM_CFLAGS)) $(SHIM_ASAN_FLAGS) -o $@ $(SHIM_SRCS) $(SHIM_LIBS)

.PHONY: shim-asan
shim-asan: $(SHIM_ASAN)

# libFuzzer targets for the request parsing (issue 6): shim/fuzz_<name>.c, each built with
# clang from its own source and the shim sources it exercises, under ASan and UBSan, into
# test/fuzz/bin/<name>. `make fuzz` runs them (test/fuzz/run); so does `make test`, briefly.
FUZZ_CC = clang
FUZZ_TARGETS = $(patsubst shim/fuzz_%.c,%,$(wildcard shim/fuzz_*.c))
FUZZ_BINS = $(FUZZ_TARGETS:%=test/fuzz/bin/%)
FUZZ_CFLAGS = $(filter-out -O2,$(SHIM_CFLAGS)) -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

fuzz_srcs_auth_header = auth_header
fuzz_srcs_client_addr = client_addr
fuzz_srcs_form_query = request_fields url_decode reply errors
fuzz_srcs_json_body = request_fields url_decode reply errors
fuzz_srcs_routes = routes url_decode request_path
fuzz_srcs_static_path = static_files config
fuzz_srcs_url_decode = url_decode

define FUZZ_RULE
test/fuzz/bin/$(1): shim/fuzz_$(1).c $$(fuzz_srcs_$(1):%=shim/%.c) $$(wildcard shim/*.h)
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(SHIM_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

EXTRA_CLEAN += test/fuzz/bin

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)
