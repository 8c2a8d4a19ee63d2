/*
 * esrtinst.efi: a test-only UEFI application that gives firmware without
 * one (OVMF installs no ESRT: it has no FMP instances) an EFI System
 * Resource Table, the way real firmware keeps it: in EfiBootServicesData
 * pool memory, installed as a configuration table (UEFI 2.10 section 23.4).
 * Then it returns, and whoever started it carries on booting: GRUB's
 * `chainloader` + `boot` come back to GRUB's script, which then boots Xen
 * (tests/qemu/xen_test.py).
 *
 * The two entries are fixed and recognisable so that a test can follow
 * them end to end (dom0's /sys/firmware/efi/esrt, the handoff block,
 * postmortem's inventory):
 *
 *   class 3ec5a5f0-7e2b-4d4c-9a51-706d65737274 system  version 0x10203 lowest 0x10000 flags 0x8010 last 0x10203 status 0
 *   class 3ec5a5f0-7e2b-4d4c-9a51-706d65737275 device  version 0x42    lowest 0x40    flags 0x0    last 0x41    status 1
 *
 * Built freestanding as a PE32+ EFI application with clang and lld-link
 * (Makefile: $(B)/tests/esrtinst.efi); it defines the few UEFI structures
 * it uses itself.
 */
#include <stdint.h>

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t char16;

struct efi_guid {
	uint32_t a;
	uint16_t b, c;
	uint8_t d[8];
};

struct efi_table_header {
	uint64_t signature;
	uint32_t revision, header_size, crc32, reserved;
};

struct efi_text_out {
	void *reset;
	efi_status (*output_string)(struct efi_text_out *self, const char16 *s);
};

/* EFI_BOOT_SERVICES up to InstallConfigurationTable. */
struct efi_boot_services {
	struct efi_table_header hdr;
	void *raise_tpl, *restore_tpl, *allocate_pages, *free_pages, *get_memory_map;
	efi_status (*allocate_pool)(uint32_t type, uint64_t size, void **out);
	void *free_pool, *create_event, *set_timer, *wait_for_event, *signal_event;
	void *close_event, *check_event, *install_protocol, *reinstall_protocol;
	void *uninstall_protocol, *handle_protocol, *reserved, *register_protocol_notify;
	void *locate_handle, *locate_device_path;
	efi_status (*install_configuration_table)(const struct efi_guid *guid, void *table);
};

struct efi_system_table {
	struct efi_table_header hdr;
	char16 *fw_vendor;
	uint32_t fw_revision;
	efi_handle con_in_handle;
	void *con_in;
	efi_handle con_out_handle;
	struct efi_text_out *con_out;
	efi_handle stderr_handle;
	void *std_err;
	void *runtime_services;
	struct efi_boot_services *boot_services;
	uint64_t n_tables;
	void *tables;
};

struct esrt_entry {
	struct efi_guid fw_class;
	uint32_t fw_type, fw_version, lowest, capsule_flags, last_version, last_status;
};

struct esrt {
	uint32_t count, max;
	uint64_t version;
	struct esrt_entry e[2];
};

#define EFI_BOOT_SERVICES_DATA	4

static const struct efi_guid esrt_guid = {
	0xb122a263, 0x3661, 0x4f68, { 0x99, 0x29, 0x78, 0xf8, 0xb0, 0xd6, 0x21, 0x80 }
};

static const struct esrt table = {
	2, 2, 1, {
		{ { 0x3ec5a5f0, 0x7e2b, 0x4d4c, { 0x9a, 0x51, 0x70, 0x6d, 0x65, 0x73, 0x72, 0x74 } },
		  1, 0x10203, 0x10000, 0x8010, 0x10203, 0 },
		{ { 0x3ec5a5f0, 0x7e2b, 0x4d4c, { 0x9a, 0x51, 0x70, 0x6d, 0x65, 0x73, 0x72, 0x75 } },
		  2, 0x42, 0x40, 0, 0x41, 1 },
	}
};

static void say(struct efi_system_table *st, const char *s)
{
	char16 buf[128];
	unsigned n = 0;

	while (*s && n < 126) {
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (char16)*s++;
	}
	buf[n] = 0;
	st->con_out->output_string(st->con_out, buf);
}

static void hex(char *out, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < 16; i++)
		out[2 + i] = digits[(v >> (60 - 4 * i)) & 15];
	out[18] = 0;
}

efi_status efi_main(efi_handle image, struct efi_system_table *st)
{
	struct efi_boot_services *bs = st->boot_services;
	char line[80], num[20];
	const char *pre = "esrtinst: ESRT (2 entries) installed at ";
	unsigned n = 0, i;
	uint8_t *p = 0;
	efi_status s;

	(void)image;
	s = bs->allocate_pool(EFI_BOOT_SERVICES_DATA, sizeof(table), (void **)&p);
	if (s != 0 || p == 0) {
		say(st, "esrtinst: AllocatePool failed\n");
		return s;
	}
	for (i = 0; i < sizeof(table); i++)
		p[i] = ((const uint8_t *)&table)[i];
	s = bs->install_configuration_table(&esrt_guid, p);
	if (s != 0) {
		say(st, "esrtinst: InstallConfigurationTable failed\n");
		return s;
	}
	hex(num, (uint64_t)(uintptr_t)p);
	for (i = 0; pre[i]; i++)
		line[n++] = pre[i];
	for (i = 0; num[i]; i++)
		line[n++] = num[i];
	line[n++] = ' ';
	for (i = 0; "(boot services data)\n"[i]; i++)
		line[n++] = "(boot services data)\n"[i];
	line[n] = 0;
	say(st, line);
	return 0;
}
