/*
 * libFuzzer target for formats/diskdump.c's reader (diskdump_read(): a
 * kdump-compressed file's header, sub-header and bitmaps, as `postmortem
 * inspect` reads an untrusted file).  Input: the file.  Promises checked
 * (abort() when broken): on success every offset and length it returns
 * lies inside the input, the counts fit the bitmaps, and the notes it
 * points at can be walked.  Seeds: tests/fuzz/corpus/diskdump/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/diskdump.h"
#include "formats/elf64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diskdump_summary d;
	struct elfcorehdr_note n;
	size_t cursor = 0;

	if (diskdump_read(data, size, &d) != 0)
		return 0;
	if (d.notes_offset > size || d.notes_len > size - d.notes_offset ||
	    d.vmcoreinfo_offset > size || d.vmcoreinfo_len > size - d.vmcoreinfo_offset ||
	    d.descs_offset > size || d.pages_present > d.max_mapnr || d.pages_dumped > d.max_mapnr ||
	    d.release[DISKDUMP_UTS_LEN - 1] != '\0' || d.nodename[DISKDUMP_UTS_LEN - 1] != '\0')
		abort();
	while (d.notes_len && elfcorehdr_note_next(data + d.notes_offset, (size_t)d.notes_len,
						   &cursor, &n) == 0)
		if (n.desc_len && (const uint8_t *)n.desc + n.desc_len > data + size)
			abort();
	return 0;
}
