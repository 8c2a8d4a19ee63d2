/* TEMPORARY until the DUMP_KEY record and the container markers are merged. */
#ifndef KERNEL_ENCSINK_PENDING_H
#define KERNEL_ENCSINK_PENDING_H
#include "payload/dumphdr.h"
#include "payload/frame.h"
#include "payload/handoff.h"
#ifndef HANDOFF_TYPE_DUMP_KEY
#define HANDOFF_TYPE_DUMP_KEY 16
struct handoff_dump_key {
	uint32_t version, cipher, wrap, wrapped_len;
	uint8_t master[32], key_id[32], load_salt[32];
	const uint8_t *wrapped;
};
static inline int handoff_get_dump_key(const struct handoff_record *rec, struct handoff_dump_key *k,
				       const char **why)
{
	(void)rec, (void)k;
	*why = "not decoded yet";
	return -EINVAL;
}
#endif
#ifndef DUMPHDR_BODY_ENCRYPTED
#define DUMPHDR_BODY_ENCRYPTED 3
#endif
#ifndef FRAME_BODY_ENCRYPTED
#define FRAME_BODY_ENCRYPTED 3
#endif
#endif
