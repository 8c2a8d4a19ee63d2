/*
 * Fuzz target for payload/cmdline.c: the input is a command line (not
 * NUL-terminated); every output field is read, every warning must be
 * terminated within its buffer.  Seeds: tests/fuzz/corpus/cmdline/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload/cmdline.h"

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline c;
	uint64_t v = 0;
	uint64_t mem = 0;
	size_t used = 0;

	cmdline_parse((const char *)data, size, &c);
	for (size_t i = 0; i < c.n_consoles; i++)
		v += c.consoles[i].kind + c.consoles[i].port + c.consoles[i].data_bits +
		     (uint8_t)c.consoles[i].parity + c.consoles[i].flow + c.consoles[i].baud;
	v += c.console_none + c.dump.kind + c.dump.port_set + c.dump.port + c.dump.force +
	     strlen(c.dump.dev) + c.after + c.elfcorehdr_set + c.elfcorehdr_addr +
	     c.elfcorehdr_size + c.memmap_exactmap + c.acpi_rsdp_set + c.acpi_rsdp +
	     c.handoff_set + c.handoff_addr + c.handoff_size + c.test + c.inventory + c.zero +
	     c.n_words + c.n_ignored + c.n_dropped_warnings +
	     strlen(cmdline_after_name(c.after)) + strlen(cmdline_dump_name(c.dump.kind));
	for (size_t i = 0; i < c.n_memmap; i++)
		v += c.memmap[i].start + c.memmap[i].size + c.memmap[i].type;
	for (size_t i = 0; i < c.n_warnings; i++)
		if (memchr(c.warnings[i], '\0', CMDLINE_WARNING_LEN) == NULL)
			abort();
	if (c.n_consoles > CMDLINE_MAX_CONSOLES || c.n_memmap > CMDLINE_MAX_MEMMAP ||
	    c.n_warnings > CMDLINE_MAX_WARNINGS)
		abort();
	if (cmdline_memparse((const char *)data, size, &mem, &used) == 0 && used > size)
		abort();
	sink = v + mem;
	return 0;
}
