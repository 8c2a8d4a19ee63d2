/*
 * Why the kernel refused to load a postmortem image: the part of
 * `postmortem load` (tools/load.c) that turns kexec's one error line into a
 * sentence about signatures and lockdown (docs/secure-boot.md).
 *
 * Interface.  loadsig_image() describes the image from its own PE/COFF
 * header (formats/pe.c): not a PE image, not signed, or how many
 * signatures it carries.  loadsig_explain() takes what kexec printed on
 * stderr ("kexec_file_load failed: <strerror>" or "kexec_load failed:
 * ..."), the image's description and the kernel's lockdown state, and
 * writes one sentence naming the cause, or returns 0 when the failure is
 * about neither signatures nor lockdown.  Host only.
 */
#ifndef TOOLS_LOADSIG_H
#define TOOLS_LOADSIG_H

#include <stdbool.h>
#include <stddef.h>

struct loadsig_image {
	bool readable;		/* the file could be read */
	bool pe;		/* a PE/COFF image (pe_parse() accepted it) */
	int signatures;		/* certificate table entries; 0 unsigned */
	char why[160];		/* when !pe or the table is malformed: what is wrong */
};

/* Read path and fill *img. */
void loadsig_image(const char *path, struct loadsig_image *img);

/*
 * The lockdown level from SYSFS/kernel/security/lockdown ("none
 * [integrity] confidentiality": the bracketed word) into buf: "none",
 * "integrity", "confidentiality", or "" when the file cannot be read
 * (securityfs not mounted, a kernel without the lockdown LSM).
 */
void loadsig_lockdown(const char *sysfs, char *buf, size_t len);

/*
 * One sentence (no newline) into buf about why the kernel refused image:
 * kexec_err is kexec's stderr (NUL-terminated), file_load whether -s was
 * used, lockdown as loadsig_lockdown() gave it.  Returns 1 when it wrote a
 * sentence, 0 when the failure is not about signatures or lockdown.
 */
int loadsig_explain(const char *image, const struct loadsig_image *img, bool file_load,
		    const char *kexec_err, const char *lockdown, char *buf, size_t len);

#endif
