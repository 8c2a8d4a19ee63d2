/*
 * Capsule-on-disk staging (see capsule_stage.h).  Order of work, and why:
 *   1. the file under \EFI\UpdateCapsule\ (fat.c writes data, FAT, then
 *      the directory entry: a cut leaves at worst lost clusters, never a
 *      half capsule under its name);
 *   2. only then the OsIndications request, so the firmware is never
 *      asked to look for a file that is not there;
 *   3. the reset, by the caller.
 * A file of the same name that holds the same bytes counts as staged; one
 * with other bytes is never changed (the writer only adds files): the new
 * capsule goes under "postmortem-<guid>-<n>.cap" instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "formats/capsule.h"
#include "kernel/capsule_stage.h"
#include "kernel/cpu.h"
#include "kernel/efirt.h"
#include "kernel/esp.h"
#include "payload/handoff.h"

#define CAPSULE_DIR	"/EFI/UpdateCapsule"
#define CAPSULE_MAX	(256u << 20)	/* what we accept to copy (firmware images are MiBs) */

static const uint8_t *cap;
static size_t cap_len;
static bool cap_ok;
static const char *cap_source = "";
static struct capsule_info info;

static void find_capsule(const struct context *ctx, const struct bootinfo *bi)
{
	struct handoff_record rec;
	struct handoff_bytes b;
	size_t cursor = 0;

	while (context_handoff_next(ctx, HANDOFF_TYPE_CAPSULE, &cursor, &rec))
		if (handoff_get_bytes(&rec, HANDOFF_TYPE_CAPSULE, &b) == 0) {
			cap = b.ptr;
			cap_len = b.len;
			cap_source = "the handoff block";
			return;
		}
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct bootinfo_module *m = &bi->modules[i];

		if (strcmp(m->name, "capsule") != 0)
			continue;
		if (m->len > CAPSULE_MAX || cpu_map_phys(m->base, m->len) != 0) {
			printf("capsule: module at 0x%llx, %llu bytes: too large or not mappable\n",
			       (unsigned long long)m->base, (unsigned long long)m->len);
			return;
		}
		cap = (const uint8_t *)(uintptr_t)m->base;
		cap_len = (size_t)m->len;
		cap_source = "the multiboot2 module";
		return;
	}
}

void capsule_stage_prepare(const struct context *ctx, const struct bootinfo *bi)
{
	const char *why = NULL;
	char guid[EFI_GUID_STR_LEN + 1];

	find_capsule(ctx, bi);
	if (cap == NULL) {
		printf("capsule: none given (handoff CAPSULE record or multiboot2 module \"capsule\")%s\n",
		       ctx->handoff == CONTEXT_HANDOFF_UNTRUSTED ?
		       "; the handoff block is not trusted, so its capsule is not used" : "");
		return;
	}
	if (capsule_check(cap, cap_len, &info, &why) != 0) {
		printf("capsule: REFUSED from %s (%zu bytes, HeaderSize %u, CapsuleImageSize %u, "
		       "flags 0x%x): %s\n", cap_source, cap_len, info.hdr.header_size,
		       info.hdr.capsule_image_size, info.hdr.flags, why ? why : "?");
		return;
	}
	efi_guid_format(&info.hdr.capsule_guid, guid);
	printf("capsule: from %s, %zu bytes, GUID %s%s%s%s, flags 0x%x: accepted\n", cap_source,
	       cap_len, guid, info.guid_name ? " (" : "", info.guid_name ? info.guid_name : "",
	       info.guid_name ? ")" : "", info.hdr.flags);
	cap_ok = true;
}

/* Does the file at path hold exactly our bytes? */
static bool same_file(struct fat_vol *v, const char *path)
{
	static uint8_t buf[4096];
	struct fat_reader r;
	size_t got;

	if (fat_open(v, path, &r) != 0 || r.size != cap_len)
		return false;
	for (size_t off = 0; off < cap_len; off += got) {
		size_t n = cap_len - off < sizeof(buf) ? cap_len - off : sizeof(buf);
		if (fat_pread(&r, off, buf, n, &got) != 0 || got != n || memcmp(buf, cap + off, n))
			return false;
	}
	return true;
}

/* Write the capsule under name in CAPSULE_DIR; 0, -EEXIST or an error. */
static int write_file(struct fat_vol *v, const char *name)
{
	struct fat_file f;
	int err = fat_create(v, CAPSULE_DIR, name, cap_len, &f);

	if (err)
		return err;
	if ((err = fat_write(&f, cap, cap_len)) != 0) {
		fat_abort(&f);
		return err;
	}
	return fat_close(&f);
}

static int stage_file(struct esp *e)
{
	char base[CAPSULE_FILE_NAME_LEN + 1], name[CAPSULE_FILE_NAME_LEN + 8], path[96];
	int err;

	if ((err = fat_mkdir_p(&e->vol, CAPSULE_DIR)) != 0) {
		printf("capsule: cannot create \\EFI\\UpdateCapsule on %s: %s\n", e->name, e->vol.why);
		return err;
	}
	capsule_file_name(&info.target, base, sizeof(base));
	for (unsigned n = 0; n < 10; n++) {
		if (n == 0)
			snprintf(name, sizeof(name), "%s", base);
		else
			snprintf(name, sizeof(name), "%.*s-%u.cap", (int)(strlen(base) - 4), base, n);
		snprintf(path, sizeof(path), "%s/%s", CAPSULE_DIR, name);
		if (same_file(&e->vol, path)) {
			printf("capsule: already staged as \\EFI\\UpdateCapsule\\%s on %s\n", name, e->name);
			return 0;
		}
		err = write_file(&e->vol, name);
		if (err == -EEXIST)
			continue;	/* another file of that name: never changed */
		if (err) {
			printf("capsule: writing \\EFI\\UpdateCapsule\\%s on %s failed: %s\n", name,
			       e->name, e->vol.why ? e->vol.why : "I/O error");
			return err;
		}
		printf("capsule: staged \\EFI\\UpdateCapsule\\%s on %s (%zu bytes)\n", name, e->name,
		       cap_len);
		return 0;
	}
	printf("capsule: \\EFI\\UpdateCapsule holds ten other files named after this capsule; "
	       "not staged\n");
	return -EEXIST;
}

int capsule_stage_run(void)
{
	const char *why = NULL;
	struct esp *e;
	int err;

	if (cap == NULL) {
		printf("capsule: no capsule to stage; resetting without one\n");
		return -ENOENT;
	}
	if (!cap_ok) {
		printf("capsule: the capsule was refused (see above); resetting without staging it\n");
		return -EBADMSG;
	}
	if ((e = esp_mount(NULL, &why)) == NULL) {
		printf("capsule: not staged: %s\n", why);
		return -ENODEV;
	}
	if ((err = stage_file(e)) != 0)
		return err;
	if (!efirt_available()) {
		printf("capsule: EFI runtime services cannot be called (%s): OsIndications not set; "
		       "the file stays staged for the next OS that sets it\n", efirt_mode_name());
		return 0;
	}
	if (efirt_request_capsule_on_disk() != 0)
		printf("capsule: the OsIndications request failed; the file stays staged\n");
	return 0;
}
