/*
 * Why the kernel refused a postmortem image (tools/loadsig.h).
 *
 * What the kernel returns (Linux 6.1, kernel/kexec_file.c
 * kimage_validate_signature() and crypto/asymmetric_keys/verify_pefile.c):
 * with signatures enforced (CONFIG_KEXEC_SIG_FORCE, or Secure Boot with
 * the IMA architecture policy, as Debian's kernel has it) the
 * verification's own error: ENODATA for an unsigned PE image ("Unsigned
 * PE binary"), ELIBBAD for a file that is not one, ENOKEY when no key in
 * the secondary or platform keyring signed it, EKEYREJECTED when the
 * signature does not match the image's digest, EBADMSG for a malformed
 * signature; under lockdown without enforcement any of them becomes EPERM.
 * Under lockdown, kexec_load (no -s) is refused with EPERM whatever the
 * image; with Secure Boot on, IMA's architecture policy refuses it first,
 * with EACCES ("impossible to appraise a kernel image without a file
 * descriptor").  kexec-tools prints "kexec_file_load failed: %s" or "kexec_load
 * failed: %s" with strerror(errno), which is matched here against this
 * C library's strerror() for the same numbers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pe.h"
#include "tools/handoff.h"
#include "tools/loadsig.h"

void loadsig_image(const char *path, struct loadsig_image *img)
{
	uint8_t *buf = NULL;
	size_t len = 0, n = 0;
	struct pe_info pi;
	const char *why = NULL;

	memset(img, 0, sizeof(*img));
	if (handoff_read_file(path, &buf, &len) != 0)
		return;
	img->readable = true;
	if (pe_parse(buf, len, &pi, &why) != 0) {
		snprintf(img->why, sizeof(img->why), "%s", why != NULL ? why : "not a PE/COFF image");
	} else {
		img->pe = true;
		if (pe_certs(buf, len, &pi, NULL, 0, &n, &why) != 0)
			snprintf(img->why, sizeof(img->why), "%s", why);
		img->signatures = (int)n;
	}
	free(buf);
}

void loadsig_lockdown(const char *sysfs, char *buf, size_t len)
{
	char path[512], line[128];
	FILE *f;
	char *open_, *close_;

	snprintf(path, sizeof(path), "%s/kernel/security/lockdown", sysfs != NULL ? sysfs : "/sys");
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL && (open_ = strchr(line, '[')) != NULL &&
	    (close_ = strchr(open_, ']')) != NULL)
		snprintf(buf, len, "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	fclose(f);
}

/* The errno whose strerror() text follows "failed: " in kexec's output, or 0. */
static int kexec_errno(const char *err, bool *file_call)
{
	static const int known[] = { EPERM, EACCES, ENOKEY, EKEYREJECTED, EKEYEXPIRED, EKEYREVOKED,
				     EBADMSG, ENODATA, ELIBBAD, ENOPKG, EMSGSIZE, ENOEXEC };
	const char *at = strstr(err, "kexec_file_load failed: ");

	*file_call = at != NULL;
	if (at != NULL)
		at += strlen("kexec_file_load failed: ");
	else if ((at = strstr(err, "kexec_load failed: ")) != NULL)
		at += strlen("kexec_load failed: ");
	else
		return 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *text = strerror(known[i]);

		if (strncmp(at, text, strlen(text)) == 0)
			return known[i];
	}
	return 0;
}

int loadsig_explain(const char *image, const struct loadsig_image *img, bool file_load,
		    const char *kexec_err, const char *lockdown, char *buf, size_t len)
{
	bool file_call = false;
	int e = kexec_errno(kexec_err != NULL ? kexec_err : "", &file_call);
	bool locked = lockdown != NULL && lockdown[0] != '\0' && strcmp(lockdown, "none") != 0;
	char state[64];
	const char *what = strerror(e);

	if (locked)
		snprintf(state, sizeof(state), "lockdown: %s", lockdown);
	else
		snprintf(state, sizeof(state), "%s", lockdown != NULL && lockdown[0] != '\0' ?
			 "lockdown: none" : "lockdown state unknown");
	if (e == 0)
		return 0;
	if (!file_load && !file_call) {
		if (e != EPERM && e != EACCES)
			return 0;
		snprintf(buf, len, "the kernel refused kexec_load (%s; %s): a kernel locked down or "
			 "booted with Secure Boot loads only signed images, through kexec_file_load: use "
			 "--file-load with a signed image (make sign, docs/secure-boot.md)", what, state);
		return 1;
	}
	if (e == ENOEXEC)
		return 0;	/* not a bzImage the kernel can load at all */
	if (img != NULL && img->readable && !img->pe) {
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): it is not a PE/COFF "
			 "image (%s), so it cannot carry one: use a postmortem.bzImage signed with make sign "
			 "(docs/secure-boot.md)", image, what, state, img->why);
		return 1;
	}
	if (img != NULL && img->readable && img->signatures == 0) {
		snprintf(buf, len, "the kernel refused %s: it has no signature, and this kernel "
			 "requires a valid one for kexec_file_load (%s; %s): sign it (make sign) with a key "
			 "the kernel trusts (docs/secure-boot.md)", image, what, state);
		return 1;
	}
	switch (e) {
	case ENOKEY:
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): no key it trusts "
			 "signed it: enrol the signing certificate in db or MOK (mokutil --import), or "
			 "sign with an enrolled key (docs/secure-boot.md)", image, what, state);
		return 1;
	case EKEYREJECTED:
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): it does not match the "
			 "image (changed after signing?) or its key is not allowed (dbx?) "
			 "(docs/secure-boot.md)", image, what, state);
		return 1;
	case EKEYEXPIRED:
	case EKEYREVOKED:
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): the signing key is "
			 "expired or revoked (docs/secure-boot.md)", image, what, state);
		return 1;
	case EBADMSG:
	case ENODATA:
	case ELIBBAD:
	case ENOPKG:
	case EMSGSIZE:
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): it is malformed or "
			 "uses an algorithm the kernel lacks%s%s (docs/secure-boot.md)", image, what, state,
			 img != NULL && img->why[0] ? ": " : "", img != NULL ? img->why : "");
		return 1;
	case EPERM:
		if (!locked)
			return 0;
		snprintf(buf, len, "the kernel refused %s's signature (%s; %s): signed %d time%s, but "
			 "by no key the kernel trusts, or the signature does not verify (see dmesg: "
			 "PEFILE, kexec_file): enrol the signing certificate in db or MOK "
			 "(docs/secure-boot.md)", image, what, state,
			 img != NULL ? img->signatures : 0,
			 img != NULL && img->signatures == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
