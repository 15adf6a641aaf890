/*
 * fuzz_bgp_msg.c: libFuzzer entry point for the BGP codec (STYLE 5.10).
 * It owns nothing but the glue: the input convention (octet 0 = session
 * bits, then a message stream) and the frame + decode + re-encode
 * properties live in tests/vectors/fuzz_one.h, which test_msg.c and
 * test_crashers.c also run over tests/fuzz/corpus-bgp_msg/ and the
 * crasher corpus (tests/vectors/crashers/bgp_msg/).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_one.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(data, size);
	return 0;
}
