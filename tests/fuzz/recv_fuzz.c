/*
 * libFuzzer target for `postmortem recv` (tools/recv.c) and its interval
 * bookkeeping (tools/spans.c).  The input is a serial capture: it is
 * written to a scratch file and rebuilt as the command would, twice --
 * --compact --quiet, and the default /proc/vmcore shape (tools/
 * vmcore_expand.c on a complete file) -- with --max-size 1M, so a capture
 * that declares more is refused as a user's would be (the seeds include
 * the 248-byte one declaring 2^43 bytes).  The second run has --key
 * FUZZ_KEY below (unused on a dump in the clear): an encrypted dump (HEADER
 * body_format 3) is saved as its stream by the first run and decrypted in
 * place, chunk by chunk, by the second (docs/encryption.md).  The enc_*
 * seeds carry streams encrypted for that key's public half
 * (tests/tools/dumpgen.c --encrypt-to --stream, wrapped by
 * tests/tools/mkstream.c --send FILE --format 3): whole, cut in chunk 1, a
 * changed byte in chunk 0; and with --chunk-size 4096 (five chunks) a frame
 * dropped in chunk 2 (enc_gap: the chunks after the gap are opened on
 * their own) and the same with chunk 3 changed (enc_gap_badchunk).  Then
 * the input's first bytes, read as (start, length) pairs on a 512-value
 * line, go through spans_add() in their arbitrary order and every query is
 * checked against a plain bitmap: spans_has(), spans_total(),
 * spans_gaps(), and that the normalized set is sorted, disjoint and never
 * touching.
 * tests/fuzz/replay.c runs the seeds in tests/fuzz/corpus/recv/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/recv.h"
#include "tools/spans.h"
#include "tests/fuzz/tool_harness.h"

#define LINE 512

/* A test key, made for the seeds and used nowhere else (RSA-3072, PKCS#8). */
static const char FUZZ_KEY[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIG/gIBADANBgkqhkiG9w0BAQEFAASCBugwggbkAgEAAoIBgQCuRJ0JdjiZjoGS\n"
	"ylIp2yg5v0B+BwSgFMxV8/wmHc3W5nVJI5qEhFCgI1oD7KmbpcgH3tmk8WEoUk0J\n"
	"tbI3B3bQmdhT4Y85wOlHTaT60SS6DKGCSvLddC27K8uTD8/QEmyQvvPb+Ovn35UO\n"
	"zM4hKCZyWcqxG3Zj2k0Qwyg/eLzsvaPOxTisWDnZsxMFy1eMpqWtUZj8GEhhJHJ1\n"
	"3kD/ifd+fZ4Gg73C9SKKK5TLEtNjO4HJNuaqetgrpTLHf54mBU5FAf8pCNMTOxmk\n"
	"hnXqVmrQAlRHOHH1QQIhPH9lWT3vy6/7sWjjyVboYKqhXs9iK1KAwbDfSfuSYN2y\n"
	"Z/FyEsP99Zzkd23g+4LvjbOzk3BTYoX11BOht66Xqm3SnbKjyiC2aIeidLjvvPIh\n"
	"+eja7m2mqiFhSZNn6XCtiWkRVi2nj6LeL+ji4ygOct1LOdknozPtzLh8C+9d0NGY\n"
	"qNWlUhFHiVTV54eMsBwtMb/60fsv0YPIb4cIz7O8VR20+Y7X9yMCAwEAAQKCAYAL\n"
	"HErFeKkWeTR0+bs6pJiwSIDscrbDx1pZEeDTQ/aEq1VySqJ7rRKViHYhEUH7BMXN\n"
	"DVM4+z642w5tqQzqCerJqpVVO73tmQlbx20rpJE/32BItfiSpT6T1AX6+U4ZiPiC\n"
	"U0+piE7vY0eAlbl/+axXLAxf4E1bA7xYGOkvABv4yAUdQLZino60Uit1+hyPK2zI\n"
	"BmTHkHtviMBXbXUdawbBehwiHtzGr5RP1Nl8B6uR2bsQ62l8wwTskMVnshDmLFOm\n"
	"7uDVezm2/+peD7q08XsniihP9kRx3/DVKz6JiQzxfxNlAJ/xZrVOGV5CBIaXljO5\n"
	"FfFNAlAnHb8UWDa8syu5jPXg3lp46VlWIaQQ0PWqfQSG7EacYUxt7mc3m74w2kvJ\n"
	"XvHWkckpnC0F0cNxJwVGi/g1NxqLbTLo2gk9O61FTR6btHSzZ+y1xWxlLtvzM5Mg\n"
	"EBSc7BHhEQ402zBHaAmOcFMhhzo4ABKbcCvD+RUsj+Wu+yBGOEcsRsai5ixhuNEC\n"
	"gcEA9L/R+bimCfpw4e7AiYUGgIdWEIUv3cf2cM8ZdxQH+tztx3VePXfEAyNfFLrE\n"
	"ovOX6VvunRM54tQ6720156tIZldymzdZZZNvelZoEKTLEFkNOSuEl8sB5/YLF681\n"
	"bUYrAyNoq9z68iZOI1B/xLw7na8dXb4nEL1Sser+cxVmelcM7QN5/vtEcB1penxG\n"
	"IpfRqUe6HeQVHG94RzJjYYRQBUbyQ5AhEmEMzeejzZI6zoTie71pdQbfdCfZhC8L\n"
	"oEhpAoHBALZHYM/k5zzSiY4zwMYVSq22brc0tsIvF5bFhSu0/xFMfE/3sJVeYGGX\n"
	"81cLTZ/xSsJD2otZ6i2lYFIVpRSxWLTsZi0iYoBcHQwuztM1z1ikryBlJrMCs7fX\n"
	"2dsUXYVmPwnhE8KuOUJFIp3Uch5l668/gid9d/1oywrwcwlLTkZg4q5tiWMaBSFr\n"
	"cAU7ZCANWEhd518dU5lyjHEietjKCk1wGOUnhjim7DF5atDye6NiGY59RB1HJAT9\n"
	"J9KiFB+xqwKBwQDBXbPFek8kXwtEVV8kx0al0Ub78l4o+M0Jv3W9EMRlPJtYFLCK\n"
	"G89vM0jxlcW5gH8qzYkt7Hy1azvM4hnOmRKwWLKhUw98IwnWO+IoFCqjFdhOrMUr\n"
	"MCanX0rQQYsSdHeTGSyfbA2PtxfQ6s6nXpgzMqEe6RbwMMPe8Wxq/CNk0NXThAWk\n"
	"oFwnv/UP4pN+zTfGaHbxGrxbJO6AQZ0m9GRMZwsMuhiG7sow+6v8xGVVuMM/RBzH\n"
	"atCscrd1qb2jutECgcBYnvVzvg+q45WbPJAx/jITqQnFKuzcFjc6x4eKi3Ijf/NE\n"
	"keEZjgwABvd5T3aLF65IKuM7MxkG3kupPPrIx7ygIfs/YGNRkvdQcAWAbL4Fk/PN\n"
	"JUCecebcsCYsPIeHjwGBFRwdX8VY8fH1mE9vdhATYSYvevH2k5d8FxFm6GUDFKHB\n"
	"OmI8e28ZI3oQISL57mMItBcEiGaXyTh83M2rTveZVLHV39SDAKz/FNAZDHuOIOjZ\n"
	"/Q87yNW7UzWkU8bC7gcCgcEAgqcwlbAGvAg9q8zal6J1Zhcv5HXiNibwRAstwrI3\n"
	"IUf5Yh0uFW/pD6UMAZfEWkRV6fupq7JlySK6LLOQp+EjsDkn8KwLddvikuCNi4xp\n"
	"Q5gNfkWqQDRdlXLz6/RjM+gzFr9UGpvSc2WfIyZiw1fttknYNR4AlVRjPON23TOe\n"
	"IZMeVWuevxPFAH5zbvf2i1cZh/3a5FZkAjrLs+QVIhYIEFB3AkVr9cuQoV6oYtQR\n"
	"bnnDtZ4cXGQZVyxy+cqnQPG9\n"
	"-----END PRIVATE KEY-----\n";

static void check_spans(const uint8_t *data, size_t size)
{
	struct spans s = { 0 }, g = { 0 };
	bool in[LINE] = { false };
	uint64_t total = 0, gap_total = 0;

	for (size_t i = 0; i + 2 < size && i < 3 * 200; i += 3) {
		uint64_t a = ((uint64_t)data[i] << 1 | (data[i + 2] & 1)) % LINE;
		uint64_t b = a + data[i + 1] % 64;

		b = b > LINE ? LINE : b;
		spans_add(&s, a, b);
		for (uint64_t x = a; x < b; x++)
			in[x] = true;
		if (data[i + 2] & 2) {	/* query in between: normalizes mid-way */
			if (spans_has(&s, a) != (a < b || in[a]))
				abort();
		}
	}
	for (uint64_t x = 0; x < LINE; x++) {
		total += in[x];
		if (spans_has(&s, x) != in[x])
			abort();
	}
	if (spans_total(&s) != total)
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].a >= s.v[i].b || (i > 0 && s.v[i - 1].b >= s.v[i].a))
			abort();
	spans_gaps(&s, 0, LINE, &g);
	for (size_t i = 0; i < g.n; i++)
		for (uint64_t x = g.v[i].a; x < g.v[i].b; x++)
			if (in[x])
				abort();
	gap_total = spans_total(&g);
	if (gap_total + total != LINE)
		abort();
	free(s.v);
	free(g.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cap = th_file("capture"), *out = th_file("vmcore");
	char *quiet[] = { "recv", (char *)cap, "-o", (char *)out, "--compact", "--quiet",
			  "--max-size", "1M", NULL };
	static const char *key;
	char *whole[] = { "recv", (char *)cap, "-o", (char *)out, "--max-size", "1M", "--key",
			  NULL, NULL };
	int rc;

	if (key == NULL) {
		key = th_file("key.pem");
		th_write(key, (const uint8_t *)FUZZ_KEY, sizeof(FUZZ_KEY) - 1);
	}
	whole[7] = (char *)key;
	th_write(cap, data, size);
	rc = th_run(recv_tool_main, quiet);
	if (rc != 0 && rc != 1)
		abort();
	rc = th_run(recv_tool_main, whole);
	if (rc != 0 && rc != 1)
		abort();
	check_spans(data, size);
	return 0;
}
