/*
 * brief: the crash record (see brief.h).
 */
#include <string.h>

#include "formats/elfcorehdr.h"
#include "formats/textbuf.h"
#include "payload/brief.h"

#define BRIEF_PANIC		"Kernel panic - not syncing: "
#define BRIEF_LINE_MAX		200

const char *brief_pgtable(const char *vi, size_t vlen, struct kpgtable *pt,
			  kpgtable_read_fn read_phys, void *ctx)
{
	uint64_t top, base, l5 = 0, sme = 0, bits = 46;

	if (vi == NULL || pt == NULL || read_phys == NULL)
		return "no VMCOREINFO";
	if (elfcorehdr_vmcoreinfo_u64(vi, vlen, "SYMBOL(init_top_pgt)", &top) != 0 ||
	    top < KINFO_START_KERNEL_MAP || top % 4096 != 0)
		return "no usable SYMBOL(init_top_pgt) in VMCOREINFO";
	/* phys_base is a signed offset (KASLR can place the kernel lower in
	 * physical memory than its virtual slide): negative values are fine,
	 * the sum below is taken modulo 2^64 and checked against the limit. */
	if (elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(phys_base)", &base) != 0 || base % 4096 != 0)
		return "no usable NUMBER(phys_base) in VMCOREINFO";
	(void)elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(pgtable_l5_enabled)", &l5);
	(void)elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(sme_mask)", &sme);
	if (elfcorehdr_vmcoreinfo_u64(vi, vlen, "NUMBER(MAX_PHYSMEM_BITS)", &bits) != 0)
		bits = l5 ? 52 : 46;
	if (l5 > 1 || bits < 32 || bits > 52)
		return "NUMBER(pgtable_l5_enabled) or NUMBER(MAX_PHYSMEM_BITS) is implausible";
	memset(pt, 0, sizeof(*pt));
	pt->root = top - KINFO_START_KERNEL_MAP + base;
	pt->l5 = l5 == 1;
	pt->sme_mask = sme;
	pt->phys_limit = 1ull << bits;
	pt->read_phys = read_phys;
	pt->ctx = ctx;
	if (pt->root >= pt->phys_limit)
		return "SYMBOL(init_top_pgt) lies past the physical limit";
	return NULL;
}

/* The VMCOREINFO text and the number of NT_PRSTATUS notes. */
static size_t brief_scan(const struct brief_src *src, const char **vi, size_t *vlen)
{
	struct elfcorehdr_note nt;
	size_t cursor = 0, cpus = 0;

	*vi = NULL;
	*vlen = 0;
	if (src->notes == NULL)
		return 0;
	while (elfcorehdr_note_next(src->notes, src->notes_len, &cursor, &nt) == 0) {
		if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS))
			cpus++;
		else if (elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_VMCOREINFO, ELF64_NT_VMCOREINFO) &&
			 *vi == NULL && nt.desc) {
			*vi = nt.desc;
			*vlen = nt.desc_len;
		}
	}
	return cpus;
}

static void brief_regs(struct textbuf *t, const struct brief_src *src, size_t cpus)
{
	struct elfcorehdr_note nt;
	struct elfcorehdr_prstatus p;
	size_t cursor = 0, i = 0;

	while (i < BRIEF_CPUS_SHOWN && elfcorehdr_note_next(src->notes, src->notes_len, &cursor, &nt) == 0) {
		const struct elfcorehdr_user_regs *r = &p.regs;

		if (!elfcorehdr_note_is(&nt, ELF64_NOTE_NAME_CORE, ELF64_NT_PRSTATUS))
			continue;
		if (elfcorehdr_prstatus(nt.desc, nt.desc_len, &p) != 0) {
			textbuf_add(t, "cpu %zu: NT_PRSTATUS of %zu bytes, too short to read\n", i++,
				    nt.desc_len);
			continue;
		}
		textbuf_add(t, "cpu %zu: pid %d rip %016llx rsp %016llx rflags %08llx cs %04llx ss %04llx\n"
			    "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
			    "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n"
			    "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n"
			    "  r13 %016llx r14 %016llx r15 %016llx\n",
			    i++, (int)p.pid, (unsigned long long)r->rip, (unsigned long long)r->rsp,
			    (unsigned long long)(r->eflags & 0xffffffffu),
			    (unsigned long long)(r->cs & 0xffff),
			    (unsigned long long)(r->ss & 0xffff), (unsigned long long)r->rax,
			    (unsigned long long)r->rbx, (unsigned long long)r->rcx,
			    (unsigned long long)r->rdx, (unsigned long long)r->rsi,
			    (unsigned long long)r->rdi, (unsigned long long)r->rbp,
			    (unsigned long long)r->r8, (unsigned long long)r->r9,
			    (unsigned long long)r->r10, (unsigned long long)r->r11,
			    (unsigned long long)r->r12, (unsigned long long)r->r13,
			    (unsigned long long)r->r14, (unsigned long long)r->r15);
	}
	if (cpus > BRIEF_CPUS_SHOWN)
		textbuf_add(t, "(%zu more CPUs: their registers are in the full dump)\n",
			    cpus - BRIEF_CPUS_SHOWN);
}

/*
 * Why the kernel died, from the log: the message of the last line that
 * starts (after its "[secs.usecs] " stamp) with "Kernel panic - not
 * syncing: "; when there is none (panic_on_oops kexecs before panic()
 * prints), the last oops-style line ("BUG: ", "Oops: ", "general
 * protection fault", "kernel BUG at").  "" when neither is there.
 */
static void brief_panic_line(const char *log, size_t len, char *line, size_t cap)
{
	static const char *const oops[] = { "BUG: ", "Oops: ", "general protection fault",
					    "kernel BUG at" };
	const char *panic = NULL, *other = NULL, *hit, *end;
	size_t pl = sizeof(BRIEF_PANIC) - 1, n;

	line[0] = '\0';
	for (const char *p = log; p < log + len; p = end + 1) {
		const char *msg;
		size_t ml;

		end = memchr(p, '\n', (size_t)(log + len - p));
		if (end == NULL)
			end = log + len;
		if (*p != '[' || (msg = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    msg + 1 >= end || msg[1] != ' ')
			continue;
		msg += 2;
		ml = (size_t)(end - msg);
		if (ml >= pl && memcmp(msg, BRIEF_PANIC, pl) == 0) {
			panic = msg + pl;
			continue;
		}
		for (size_t i = 0; i < sizeof(oops) / sizeof(oops[0]); i++)
			if (ml >= strlen(oops[i]) && memcmp(msg, oops[i], strlen(oops[i])) == 0)
				other = msg;
	}
	hit = panic ? panic : other;
	if (hit == NULL)
		return;
	end = memchr(hit, '\n', (size_t)(log + len - hit));
	n = end ? (size_t)(end - hit) : (size_t)(log + len - hit);
	if (n >= cap)
		n = cap - 1;
	memcpy(line, hit, n);
	line[n] = '\0';
}

/* Text from the crashed system made one safe field: bytes outside
 * 0x21..0x7e (newlines, escapes, spaces too) as \xNN, at most 64 bytes in. */
static const char *brief_field(const char *s, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (s == NULL || s[0] == '\0')
		return "unknown";
	for (size_t i = 0; s[i] && i < 64 && o + 5 < cap; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c > 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

size_t brief_build(const struct brief_src *src, char *out, size_t cap, struct brief_stats *st)
{
	struct brief_stats local;
	struct textbuf t;
	const char *vi;
	size_t vlen, head, loglen = 0, shown;
	char panic[BRIEF_LINE_MAX], host[4 * 64 + 1], rel[4 * 64 + 1];

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (out == NULL || cap == 0)
		return 0;
	out[0] = '\0';
	if (src == NULL)
		return 0;
	st->cpus = brief_scan(src, &vi, &vlen);
	shown = st->cpus < BRIEF_CPUS_SHOWN ? st->cpus : BRIEF_CPUS_SHOWN;
	/* Room kept for everything but the log (each field is bounded: the
	 * host and release escaped to 256 bytes each, the panic and target
	 * lines 200, a CPU's registers 448), so the log: line always fits;
	 * the log goes after it. */
	head = 1536 + shown * 448;
	if (head > cap / 2)
		head = cap / 2;
	if (vi == NULL)
		st->log_why = "no VMCOREINFO note";
	else if (src->read_virt == NULL)
		st->log_why = src->no_log_why ? src->no_log_why :
			      "the crashed kernel's memory cannot be read";
	else if (cap - head > 64)
		st->log_why = klog_tail(vi, vlen, src->read_virt, src->rctx, out + head, cap - head - 32,
					&loglen, &st->log);
	else
		st->log_why = "no room";
	if (st->log_why)
		loglen = 0;
	brief_panic_line(out + head, loglen, panic, sizeof(panic));

	textbuf_init(&t, out, head);
	textbuf_add(&t, "postmortem crash record, dump 0x%016llx\n", (unsigned long long)src->dump_id);
	textbuf_add(&t, "host: %s  kernel: %s\n", brief_field(src->hostname, host, sizeof(host)),
		    brief_field(src->release, rel, sizeof(rel)));
	textbuf_add(&t, "panic: %.200s\n", panic[0] ? panic :
		    st->log_why ? "unknown (no log)" : "no panic line in the log");
	if (src->target && src->target[0])
		textbuf_add(&t, "target: %.200s\n", src->target);
	textbuf_add(&t, "cpus: %zu saved by the crashed kernel\n", st->cpus);
	if (st->cpus)
		brief_regs(&t, src, st->cpus);
	if (st->log_why)
		textbuf_add(&t, "log: not read: %s\n", st->log_why);
	else
		textbuf_add(&t, "log: the newest %llu records (%zu bytes%s%s)\n",
			    (unsigned long long)st->log.shown, loglen,
			    st->log.cut ? "; older ones are in the full dump" : "",
			    st->log.skipped ? "; some records could not be read" : "");
	/* Move the log up behind the header, then close the record. */
	memmove(out + t.len, out + head, loglen);
	t.buf = out;
	t.cap = cap;
	t.len += loglen;
	out[t.len] = '\0';
	textbuf_add(&t, "end of crash record\n");
	return t.len;
}
