/*
 * The efirt module's variable-level work (see efirt.h): the
 * capsule-on-disk request the after-action makes, and the pm.test=efirt
 * self-test.  Only efirt.h's calls are used here, so everything reaches
 * the firmware through the same checks, stack and page tables.
 *
 * OsIndications and OsIndicationsSupported are UINT64 variables of
 * EFI_GLOBAL_VARIABLE (UEFI 2.10 §3.3); bit 0x4 asks the firmware to
 * look for capsules in \EFI\UpdateCapsule\ on the next boot (§8.5.5,
 * docs/interfaces.md).  OVMF advertises 0x41 (boot to firmware UI, platform
 * recovery) and not 0x4: it has no capsule-on-disk support, so the
 * request can be written and read back there but is never acted on.
 */
#include <errno.h>
#include <stdio.h>

#include "kernel/cpu.h"
#include "kernel/efirt.h"

static const struct efi_guid global_guid = EFIRT_GLOBAL_VARIABLE_GUID;

/* Read a UINT64 variable; -ENOENT when absent, -EBADMSG when not 8 bytes. */
static int get_u64(const char *name, const struct efi_guid *guid, uint64_t *v, uint32_t *attr)
{
	size_t size = sizeof(*v);
	int err;

	*v = 0;
	err = efirt_get_variable(name, guid, attr, v, &size);
	if (err == 0 && size != sizeof(*v))
		return -EBADMSG;
	return err;
}

/* "EFI_NOT_FOUND" for the last call, or why no call was made. */
static const char *why_failed(int err)
{
	if (err == -ENODEV)
		return "runtime services not available";
	if (err == -EBADMSG)
		return "not 8 bytes";
	return efirt_status_name(efirt_last_status());
}

int efirt_request_capsule_on_disk(void)
{
	uint64_t supported, ind, back;
	int err;

	if (!efirt_available()) {
		printf("efirt: capsule-on-disk request not made: runtime services not available\n");
		return -ENODEV;
	}
	err = get_u64("OsIndicationsSupported", &global_guid, &supported, NULL);
	if (err)
		printf("efirt: OsIndicationsSupported unreadable (%s); setting the request anyway\n",
		       why_failed(err));
	else if (!(supported & EFIRT_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED))
		printf("efirt: firmware does not advertise capsule-on-disk (OsIndicationsSupported=0x%llx); setting the request anyway\n",
		       (unsigned long long)supported);
	else
		printf("efirt: firmware advertises capsule-on-disk (OsIndicationsSupported=0x%llx)\n",
		       (unsigned long long)supported);
	err = get_u64("OsIndications", &global_guid, &ind, NULL);
	if (err == -ENOENT) {
		ind = 0;
	} else if (err) {
		printf("efirt: OsIndications unreadable (%s); not changed\n", why_failed(err));
		return err;
	}
	back = ind | EFIRT_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED;
	err = efirt_set_variable("OsIndications", &global_guid, EFIRT_VARIABLE_NV_BS_RT, &back,
				 sizeof(back));
	if (err) {
		printf("efirt: SetVariable(OsIndications=0x%llx) failed: %s\n",
		       (unsigned long long)back, why_failed(err));
		return err;
	}
	err = get_u64("OsIndications", &global_guid, &back, NULL);
	if (err || !(back & EFIRT_OS_INDICATIONS_FILE_CAPSULE_DELIVERY_SUPPORTED)) {
		printf("efirt: OsIndications read back %s0x%llx: the capsule-on-disk bit did not stick\n",
		       err ? why_failed(err) : "", (unsigned long long)back);
		return err ? err : -EIO;
	}
	printf("efirt: capsule-on-disk requested: OsIndications 0x%llx -> 0x%llx\n",
	       (unsigned long long)ind, (unsigned long long)back);
	return 0;
}

/* ------------------------------------------------------------ pm.test=efirt */

static int test_fail(const char *step, int err)
{
	printf("efirt: test FAILED: %s: %s (%d)\n", step, why_failed(err), err);
	return err ? err : -EIO;
}

int efirt_selftest(void)
{
	static const struct efi_guid pm_guid = EFIRT_POSTMORTEM_VENDOR_GUID;
	uint64_t v, supported, data = cpu_rdtsc_id(), back = 0;
	uint32_t attr = 0;
	size_t size = sizeof(back);
	int err;

	if (!efirt_available())
		return test_fail("init", -ENODEV);
	err = get_u64("OsIndicationsSupported", &global_guid, &v, &attr);
	if (err)
		return test_fail("GetVariable(OsIndicationsSupported)", err);
	printf("efirt: OsIndicationsSupported=0x%llx (attributes 0x%x)\n", (unsigned long long)v, attr);
	supported = v;
	err = get_u64("OsIndications", &global_guid, &v, &attr);
	if (err == -ENOENT)
		printf("efirt: OsIndications absent (EFI_NOT_FOUND), taken as 0\n");
	else if (err)
		return test_fail("GetVariable(OsIndications)", err);
	else
		printf("efirt: OsIndications=0x%llx (attributes 0x%x)\n", (unsigned long long)v, attr);

	err = efirt_set_variable("PostmortemTest", &pm_guid, EFIRT_VARIABLE_NV_BS_RT, &data, sizeof(data));
	if (err)
		return test_fail("SetVariable(PostmortemTest)", err);
	err = efirt_get_variable("PostmortemTest", &pm_guid, &attr, &back, &size);
	if (err)
		return test_fail("GetVariable(PostmortemTest)", err);
	if (size != sizeof(data) || back != data || attr != EFIRT_VARIABLE_NV_BS_RT) {
		printf("efirt: test FAILED: PostmortemTest read back 0x%llx (%zu bytes, attributes 0x%x), wrote 0x%llx (8, 0x7)\n",
		       (unsigned long long)back, size, attr, (unsigned long long)data);
		return -EIO;
	}
	printf("efirt: PostmortemTest written and read back (0x%llx, attributes 0x%x)\n",
	       (unsigned long long)back, attr);
	err = efirt_set_variable("PostmortemTest", &pm_guid, EFIRT_VARIABLE_NV_BS_RT, NULL, 0);
	if (err)
		return test_fail("SetVariable(PostmortemTest, delete)", err);
	size = sizeof(back);
	err = efirt_get_variable("PostmortemTest", &pm_guid, NULL, &back, &size);
	if (err != -ENOENT)
		return test_fail("GetVariable(PostmortemTest) after delete", err ? err : -EEXIST);
	err = efirt_request_capsule_on_disk();
	if (err)
		return test_fail("capsule-on-disk request", err);
	err = efirt_alias_check(supported);
	if (err)
		return err;
	printf("efirt: test passed\n");
	return 0;
}
