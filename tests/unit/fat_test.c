/* Host tests for formats/fat*.c: FAT12, FAT16 and FAT32 volumes built in
 * memory by a small formatter here (RAM blkdev), then mounted, read and
 * written: every boot-sector rule refused on its own, the FAT type from
 * the cluster count at its exact boundaries, FSInfo (bad ones ignored and
 * left alone, good ones kept right), lookup by long and 8.3 names in any
 * case, hand-made LFN sets (checksum, order), short-name generation and
 * tails, FAT12 entries straddling a FAT sector, chain loops and bad
 * cluster values, directory growth, a full fixed root, -ENOSPC and
 * -EEXIST leaving every byte as it was, both FAT copies identical,
 * mirroring disabled, 4096-byte sectors, and the 4 GiB limit.  Volumes
 * made by mkfs.fat and checked by fsck.fat and mtools:
 * tests/fat_tool_test.sh. */
#include <errno.h>

#include "tests/unit/test.h"
#include "formats/blkdev.h"
#include "formats/fat.h"
#include "formats/fat_impl.h"

#define IMG_MAX		(35u << 20)	/* FAT32's smallest volume with 512-byte clusters fits */

static uint8_t img[IMG_MAX], copy[IMG_MAX];
static uint8_t scratch[FAT_SCRATCH_SIZE];
static uint8_t buf[1 << 20], back[1 << 20];
static struct fat_vol vol;
static struct blkdev dev;
static size_t img_len;

struct spec {
	unsigned type;		/* 12, 16, 32 */
	uint32_t clusters;	/* exact count wanted */
	uint32_t ss, spc, root;	/* 0: 512, 1, 512 (FAT12/16) */
	uint32_t nfats;		/* 0: 2 */
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint64_t fat_bytes(unsigned type, uint32_t clusters)
{
	uint64_t n = (uint64_t)clusters + 2;

	return type == 12 ? (n * 3 + 1) / 2 : n * (type / 8);
}

/* Format img[] with exactly s->clusters clusters and mount it. */
static void mkfs(struct spec s)
{
	uint32_t ss = s.ss ? s.ss : 512, spc = s.spc ? s.spc : 1, nf = s.nfats ? s.nfats : 2;
	uint32_t root = s.type == 32 ? 0 : s.root ? s.root : 512, rsvd = s.type == 32 ? 32 : 1;
	uint32_t rs = root * 32 / ss, fsz = (uint32_t)((fat_bytes(s.type, s.clusters) + ss - 1) / ss);
	uint32_t tot = rsvd + nf * fsz + rs + s.clusters * spc;
	uint8_t *b = img;

	img_len = (size_t)tot * ss;
	CHECK(img_len <= IMG_MAX);
	memset(img, 0, img_len);
	memcpy(b, "\xeb\x58\x90MSWIN4.1", 11);
	put16(b + 11, ss);
	b[13] = (uint8_t)spc;
	put16(b + 14, rsvd);
	b[16] = (uint8_t)nf;
	put16(b + 17, root);
	if (tot < 65536 && s.type != 32)
		put16(b + 19, tot);
	else
		put32(b + 32, tot);
	b[21] = 0xf8;
	if (s.type == 32) {
		put32(b + 36, fsz);
		put32(b + 44, 2);
		put16(b + 48, 1);
		put16(b + 50, 6);
		b[66] = 0x29;
		memcpy(b + 82, "FAT32   ", 8);
	} else {
		put16(b + 22, fsz);
		b[38] = 0x29;
		memcpy(b + 54, s.type == 12 ? "FAT12   " : "FAT16   ", 8);
	}
	b[510] = 0x55;
	b[511] = 0xaa;
	for (uint32_t k = 0; k < nf; k++) {
		uint8_t *f = img + (size_t)(rsvd + k * fsz) * ss;

		if (s.type == 12) {
			memcpy(f, "\xf8\xff\xff", 3);
		} else if (s.type == 16) {
			memcpy(f, "\xf8\xff\xff\xff", 4);
		} else {
			memcpy(f, "\xf8\xff\xff\x0f\xff\xff\xff\x0f\xff\xff\xff\x0f", 12);
		}
	}
	if (s.type == 32) {		/* FSInfo: free count and hint deliberately stale */
		put32(img + ss, FAT_FSI_LEAD_SIG);
		put32(img + ss + 484, FAT_FSI_STRUC_SIG);
		put32(img + ss + 488, 12345);
		put32(img + ss + 492, FAT_FSI_UNKNOWN);
		put32(img + ss + 508, FAT_FSI_TRAIL_SIG);
	}
	CHECK_EQ(blkdev_ram_init(&dev, "ram", img, img_len, ss), 0);
}

static int mount(void)
{
	return fat_mount(&vol, &dev, scratch, sizeof(scratch));
}

static void mkfs_mount(struct spec s)
{
	mkfs(s);
	CHECK_EQ(mount(), 0);
	vol.date = fat_pack_date(2024, 2, 29);
	vol.time = fat_pack_time(13, 37, 42);
}

/* The two FATs are the same bytes. */
static bool fats_equal(void)
{
	size_t n = (size_t)vol.g.fat_sectors * vol.g.sector_size;
	const uint8_t *f0 = img + (size_t)vol.g.fat_start * vol.g.sector_size;

	return vol.g.num_fats < 2 || memcmp(f0, f0 + n, n) == 0;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Write path with n bytes of buf in pieces of `piece` (0: all at once); 0 or the error. */
static int put(const char *path, size_t n, size_t piece, uint64_t hint)
{
	struct fat_file f;
	int err = fat_create(&vol, path, NULL, hint, &f);

	for (size_t off = 0; err == 0 && off < n; off += piece ? piece : n)
		err = fat_write(&f, buf + off, piece && n - off > piece ? piece : n - off);
	if (err == 0)
		return fat_close(&f);
	if (f.open)
		fat_close(&f);
	return err;
}

/* path reads back as buf[0..n). */
static bool reads_back(const char *path, size_t n)
{
	struct fat_reader r;
	size_t got;

	memset(back, 0xee, n + 1);
	if (fat_open(&vol, path, &r) || r.size != n || fat_pread(&r, 0, back, n + 1, &got) || got != n)
		return false;
	return memcmp(back, buf, n) == 0;
}

/* ------------------------------------------------------------ mount rules */

TEST(mount_types)
{
	static const struct { unsigned type; uint32_t clusters; } cases[] = {
		{ 12, 1 }, { 12, 4084 }, { 16, 4085 }, { 16, 65524 }, { 32, 65525 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mkfs((struct spec){ .type = cases[i].type, .clusters = cases[i].clusters });
		CHECK_EQ(mount(), 0);
		CHECK_EQ(vol.g.type, cases[i].type);
		CHECK_EQ(vol.g.clusters, cases[i].clusters);
		CHECK(vol.why == NULL);
	}
	CHECK(vol.fsinfo_ok);
	CHECK_EQ(vol.g.root_cluster, 2);
	/*
	 * A FAT32-shaped BPB below 65525 clusters (mkfs.fat makes these with
	 * a warning) is FAT32, as EDK2's and Linux's drivers read it.
	 */
	mkfs_mount((struct spec){ .type = 32, .clusters = 10000 });
	CHECK_EQ(vol.g.type, 32);
	CHECK_EQ(vol.g.clusters, 10000);
	fill(buf, 5000, 7);
	CHECK_EQ(put("/EFI/few.bin", 5000, 0, 0), -ENOENT);
	CHECK_EQ(fat_mkdir_p(&vol, "/EFI"), 0);
	CHECK_EQ(put("/EFI/few.bin", 5000, 0, 0), 0);
	CHECK(reads_back("/EFI/few.bin", 5000));
	CHECK_EQ(fat_mount(NULL, &dev, NULL, 0), -EINVAL);
	CHECK_EQ(fat_mount(&vol, NULL, NULL, 0), -EINVAL);
}

/* Mount after edit(); want -EBADMSG and a reason. */
static void refuse(struct spec s, void (*edit)(uint8_t *b), const char *what)
{
	mkfs(s);
	edit(img);
	if (mount() != -EBADMSG || vol.why == NULL)
		fprintf(stderr, "refuse: %s accepted (%s)\n", what, vol.why ? vol.why : "");
	CHECK_EQ(mount(), -EBADMSG);
	CHECK(vol.why != NULL);
}

static void no_sig(uint8_t *b) { b[510] = 0; }
static void bps_256(uint8_t *b) { put16(b + 11, 256); }
static void bps_768(uint8_t *b) { put16(b + 11, 768); }
static void bps_8k(uint8_t *b) { put16(b + 11, 8192); }
static void bps_dev(uint8_t *b) { put16(b + 11, 1024); }
static void spc_0(uint8_t *b) { b[13] = 0; }
static void spc_3(uint8_t *b) { b[13] = 3; }
static void spc_big(uint8_t *b) { b[13] = 128; }
static void rsvd_0(uint8_t *b) { put16(b + 14, 0); }
static void nfats_0(uint8_t *b) { b[16] = 0; }
static void nfats_3(uint8_t *b) { b[16] = 3; }
static void root_odd(uint8_t *b) { put16(b + 17, 17); }
static void root_0(uint8_t *b) { put16(b + 17, 0); }
static void tot_0(uint8_t *b) { put16(b + 19, 0); put32(b + 32, 0); }
static void tot_disagree(uint8_t *b) { put32(b + 32, (uint32_t)(b[19] | b[20] << 8) + 1); }
static void tot_big(uint8_t *b) { put16(b + 19, 0); put32(b + 32, (uint32_t)(img_len / 512) + 1); }
static void media_0(uint8_t *b) { b[21] = 0; }
static void fatsz_0(uint8_t *b) { put16(b + 22, 0); }
static void fatsz_small(uint8_t *b) { put16(b + 22, 1); }
static void meta_fills(uint8_t *b) { put16(b + 14, 0xffff); }
static void clus32_0(uint8_t *b) { put32(b + 44, 0); }
static void clus32_1(uint8_t *b) { put32(b + 44, 1); }
static void clus32_big(uint8_t *b) { put32(b + 44, 65525 + 2); }
static void fsver(uint8_t *b) { put16(b + 42, 1); }
static void root32(uint8_t *b) { put16(b + 17, 16); }
static void fatsz32_small(uint8_t *b) { put32(b + 36, 100); }
static void active_fat(uint8_t *b) { put16(b + 40, 0x0082); }

TEST(mount_rules)
{
	struct spec f16 = { .type = 16, .clusters = 5000 }, f32 = { .type = 32, .clusters = 65525 };
	struct spec f12 = { .type = 12, .clusters = 300 };
	struct fat_geom g;
	const char *why;

	refuse(f16, no_sig, "no 0x55AA");
	refuse(f16, bps_256, "BytsPerSec 256");
	refuse(f16, bps_768, "BytsPerSec 768");
	refuse(f16, bps_8k, "BytsPerSec 8192");
	refuse(f16, bps_dev, "BytsPerSec other than the device's");
	refuse(f16, spc_0, "SecPerClus 0");
	refuse(f16, spc_3, "SecPerClus 3");
	refuse((struct spec){ .type = 16, .clusters = 5000, .ss = 1024 }, spc_big, "128 KiB cluster");
	refuse(f16, rsvd_0, "RsvdSecCnt 0");
	refuse(f16, nfats_0, "NumFATs 0");
	refuse(f16, nfats_3, "NumFATs 3");
	refuse(f16, root_odd, "RootEntCnt 17");
	refuse(f12, root_0, "FAT12 RootEntCnt 0");
	refuse(f16, tot_0, "TotSec 0");
	refuse(f12, tot_disagree, "TotSec16 != TotSec32");
	refuse(f16, tot_big, "TotSec beyond the device");
	refuse(f16, media_0, "Media 0");
	refuse(f16, fatsz_0, "FATSz 0");
	refuse(f16, fatsz_small, "FATSz too small");
	refuse(f16, meta_fills, "metadata fills the volume");
	refuse(f32, clus32_0, "RootClus 0");
	refuse(f32, clus32_1, "RootClus 1");
	refuse(f32, clus32_big, "RootClus past the end");
	refuse(f32, fsver, "FSVer 0.1");
	refuse(f32, root32, "FAT32 RootEntCnt");
	refuse(f32, fatsz32_small, "FAT32 FATSz too small");
	refuse(f32, active_fat, "active FAT 2 of 2");
	CHECK_EQ(fat_bpb_parse(img, 100, 1000, 512, &g, &why), -EINVAL);
	CHECK_EQ(fat_bpb_parse(NULL, 512, 1000, 512, &g, &why), -EINVAL);
	CHECK_EQ(fat_bpb_parse(img, 512, 1000, 512, NULL, &why), -EINVAL);
	/* A read error at the boot sector is the device's error. */
	mkfs(f16);
	dev.sectors = 0;
	CHECK(mount() < 0);
	CHECK(vol.why != NULL);
}

TEST(fsinfo)
{
	struct spec f32 = { .type = 32, .clusters = 65600 };
	uint8_t fsi[512];

	mkfs_mount(f32);
	memset(buf, 'x', 3000);
	CHECK_EQ(put("/a.bin", 3000, 0, 3000), 0);
	CHECK_EQ(le_get32(img + 512 + 488), 65600 - 1 - 6);	/* root + 6 clusters */
	CHECK_EQ(le_get32(img + 512 + 492), 2 + 1 + 6);		/* after the last taken */
	/* Remounted: the hint is used, and the count agrees with a fresh count. */
	CHECK_EQ(mount(), 0);
	CHECK_EQ(vol.next_free, 9);
	CHECK_EQ(fat_count_free(&vol), 0);
	CHECK_EQ(vol.free_clusters, 65600 - 7);
	/* Bad signatures: ignored for reading, never written. */
	mkfs(f32);
	img[512 + 511] = 0;
	memcpy(fsi, img + 512, 512);
	CHECK_EQ(mount(), 0);
	CHECK(!vol.fsinfo_ok);
	CHECK_EQ(put("/b.bin", 10, 0, 10), 0);
	CHECK(memcmp(fsi, img + 512, 512) == 0);
	CHECK(reads_back("/b.bin", 10));
	/* BPB_FSInfo outside the reserved area (0xFFFF): no FSInfo. */
	mkfs(f32);
	put16(img + 48, 0xffff);
	CHECK_EQ(mount(), 0);
	CHECK(!vol.fsinfo_ok);
}

/* ------------------------------------------------------------ names */

TEST(short_names)
{
	static const struct { const char *in, *out; int kind; } cases[] = {
		{ "FOO.TXT", "FOO     TXT", FAT_BASIS_EXACT },
		{ "README", "README     ", FAT_BASIS_EXACT },
		{ "A$%'-_@~.`!(", "A$%'-_@~`!(", FAT_BASIS_EXACT },
		{ "foo.txt", "FOO     TXT", FAT_BASIS_CASE },
		{ "Foo.Txt", "FOO     TXT", FAT_BASIS_CASE },
		{ "Postmortem Capsule.cap", "POSTMORTCAP", FAT_BASIS_LOSSY },
		{ ".bashrc", "BASHRC     ", FAT_BASIS_LOSSY },
		{ "a+b.c;d", "A_B     C_D", FAT_BASIS_LOSSY },
		{ "x.tar.gz", "XTAR    GZ ", FAT_BASIS_LOSSY },
		{ "\xc3\xbcn\xc3\xaf.txt", "_N_     TXT", FAT_BASIS_LOSSY },
		{ "TOOLONGNAME.TXT", "TOOLONGNTXT", FAT_BASIS_LOSSY },
		{ "FOO.TEXT", "FOO     TEX", FAT_BASIS_LOSSY },
		{ "FOO BAR", "FOOBAR     ", FAT_BASIS_LOSSY },
		{ "+", "_          ", FAT_BASIS_LOSSY },
		{ "...", "_          ", FAT_BASIS_LOSSY },
	};
	uint8_t sn[11];
	char out[13];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int kind = fat_short_basis(cases[i].in, strlen(cases[i].in), sn);

		CHECK_EQ(kind, cases[i].kind);
		if (memcmp(sn, cases[i].out, 11) != 0)
			fprintf(stderr, "basis of \"%s\": \"%.11s\"\n", cases[i].in, sn);
		CHECK(memcmp(sn, cases[i].out, 11) == 0);
	}
	memcpy(sn, "POSTMORTCAP", 11);
	fat_short_tail(sn, 1);
	CHECK(memcmp(sn, "POSTMO~1CAP", 11) == 0);
	fat_short_tail(sn, 10);		/* a tail goes on the basis, not on an earlier tail */
	CHECK(memcmp(sn, "POSTM~10CAP", 11) == 0);
	memcpy(sn, "AB         ", 11);
	fat_short_tail(sn, 3);
	CHECK(memcmp(sn, "AB~3       ", 11) == 0);
	memcpy(sn, "ABCDEFGHXYZ", 11);
	fat_short_tail(sn, 999999);
	CHECK(memcmp(sn, "A~999999XYZ", 11) == 0);
	memcpy(sn, "POSTMORTCAP", 11);
	CHECK_EQ(fat_tail_of((const uint8_t *)"POSTMO~7CAP", sn), 7);
	CHECK_EQ(fat_tail_of((const uint8_t *)"POSTM~12CAP", sn), 12);
	CHECK_EQ(fat_tail_of((const uint8_t *)"POSTMO~7BIN", sn), 0);
	CHECK_EQ(fat_tail_of((const uint8_t *)"POSTMO~0CAP", sn), 0);
	CHECK_EQ(fat_tail_of((const uint8_t *)"POSTMX~7CAP", sn), 0);
	fat_short_format((const uint8_t *)"FOO     TXT", out);
	CHECK_STR(out, "FOO.TXT");
	fat_short_format((const uint8_t *)"\x05" "AB     C  ", out);
	CHECK_STR(out, "?AB.C");
	fat_short_format((const uint8_t *)"README     ", out);
	CHECK_STR(out, "README");
	/* Independent value: the byte mtools wrote for "Postmortem Capsule.cap". */
	CHECK_EQ(fat_lfn_checksum((const uint8_t *)"POSTMO~1CAP"), 0xf5);
	CHECK_EQ(fat_lfn_checksum((const uint8_t *)"FOO     BAR"), 0x53);
}

TEST(names_on_disk)
{
	struct fat_dirent e;
	struct fat_dir d;
	int n = 0, r;

	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	memset(buf, 'a', 10);
	CHECK_EQ(put("/Postmortem Capsule.cap", 10, 0, 10), 0);
	CHECK_EQ(put("/Postmortem Capsule 2.cap", 10, 0, 10), 0);
	CHECK_EQ(put("/README", 10, 0, 10), 0);
	CHECK_EQ(put("\\lower.txt", 10, 0, 10), 0);
	CHECK_EQ(fat_lookup(&vol, "/POSTMO~2.CAP", &e), 0);
	CHECK_STR(e.name, "Postmortem Capsule 2.cap");
	CHECK(e.has_long);
	CHECK_EQ(e.wrt_date, fat_pack_date(2024, 2, 29));
	CHECK_EQ(e.wrt_time, fat_pack_time(13, 37, 42));
	CHECK_EQ(e.attr, FAT_ATTR_ARCHIVE);
	CHECK_EQ(fat_lookup(&vol, "postmortem capsule.CAP", &e), 0);
	CHECK_STR(e.short_name, "POSTMO~1.CAP");
	CHECK_EQ(fat_lookup(&vol, "/readme", &e), 0);
	CHECK(!e.has_long);			/* exact 8.3: no LFN entries */
	CHECK_STR(e.name, "README");
	CHECK_EQ(fat_lookup(&vol, "/LOWER.TXT", &e), 0);
	CHECK_STR(e.name, "lower.txt");
	CHECK_STR(e.short_name, "LOWER.TXT");
	CHECK_EQ(fat_lookup(&vol, "/./lower.txt", &e), 0);
	CHECK_EQ(fat_lookup(&vol, "/nothing", &e), -ENOENT);
	CHECK_EQ(fat_lookup(&vol, "/README/x", &e), -ENOTDIR);
	CHECK_EQ(fat_lookup(&vol, "/..", &e), -ENOENT);
	CHECK_EQ(fat_opendir(&vol, "/", &d), 0);
	while ((r = fat_readdir(&d, &e)) == 1)
		n++;
	CHECK_EQ(r, 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(fat_opendir(&vol, "/README", &d), -ENOTDIR);
	/* Names the writer refuses. */
	CHECK_EQ(put("/a:b", 1, 0, 1), -EINVAL);
	CHECK_EQ(put("/trailing.", 1, 0, 1), -EINVAL);
	CHECK_EQ(put("/trailing ", 1, 0, 1), -EINVAL);
	CHECK_EQ(put("/bad\xff utf8", 1, 0, 1), -EINVAL);
	memset(back, 'n', 257);
	back[0] = '/';
	back[257] = 0;
	CHECK_EQ(put((char *)back, 1, 0, 1), -ENAMETOOLONG);	/* 256 units */
	back[256] = 0;
	CHECK_EQ(put((char *)back, 1, 0, 1), 0);		/* exactly 255 */
	CHECK_EQ(fat_lookup(&vol, (char *)back, &e), 0);
	CHECK_EQ(strlen(e.name), 255);
	back[256] = 'n';
	CHECK_EQ(fat_lookup(&vol, (char *)back, &e), -ENAMETOOLONG);
}

/* A raw entry into the fixed root at slot i. */
static void raw_entry(unsigned i, const uint8_t *e)
{
	memcpy(img + (size_t)vol.g.root_start * 512 + i * 32, e, 32);
}

/* LFN entry ord (| 0x40 for last) with 13 units from name[(n-1)*13..]. */
static void lfn_entry(uint8_t *e, uint8_t ord, const char *name, uint8_t sum)
{
	static const uint8_t at[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	size_t len = strlen(name), base = (size_t)((ord & 0x1f) - 1) * 13;

	memset(e, 0, 32);
	e[0] = ord;
	e[11] = 0x0f;
	e[13] = sum;
	for (size_t k = 0; k < 13; k++)
		put16(e + at[k], base + k < len ? (uint8_t)name[base + k] : base + k == len ? 0 : 0xffff);
}

TEST(lfn_sets)
{
	const char *name = "A hand-made long name.txt";	/* 26 units: 2 entries */
	uint8_t e[32], sn[11], sum;
	struct fat_dirent de;

	memcpy(sn, "AHAND-~1TXT", 11);
	sum = fat_lfn_checksum(sn);
	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	lfn_entry(e, 0x42, name, sum);
	raw_entry(0, e);
	lfn_entry(e, 0x01, name, sum);
	raw_entry(1, e);
	memset(e, 0, 32);
	memcpy(e, sn, 11);
	e[11] = FAT_ATTR_ARCHIVE;
	raw_entry(2, e);
	CHECK_EQ(fat_lookup(&vol, "/a HAND-made LONG name.TXT", &de), 0);
	CHECK(de.has_long);
	CHECK_STR(de.name, name);
	/* Wrong checksum in one entry: the long name is not used, the 8.3 one is. */
	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	lfn_entry(e, 0x42, name, sum);
	raw_entry(0, e);
	lfn_entry(e, 0x01, name, (uint8_t)(sum + 1));
	raw_entry(1, e);
	memset(e, 0, 32);
	memcpy(e, sn, 11);
	raw_entry(2, e);
	CHECK_EQ(fat_lookup(&vol, name, &de), -ENOENT);
	CHECK_EQ(fat_lookup(&vol, "AHAND-~1.TXT", &de), 0);
	CHECK(!de.has_long);
	/* Out of order (ordinal 1 first): not used either. */
	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	lfn_entry(e, 0x01, name, sum);
	raw_entry(0, e);
	lfn_entry(e, 0x42, name, sum);
	raw_entry(1, e);
	memset(e, 0, 32);
	memcpy(e, sn, 11);
	raw_entry(2, e);
	CHECK_EQ(fat_lookup(&vol, name, &de), -ENOENT);
	CHECK_EQ(fat_lookup(&vol, "AHAND-~1.TXT", &de), 0);
	/* NTRes case bits give the 8.3 name's case. */
	memset(e, 0, 32);
	memcpy(e, "MIXED   TXT", 11);
	e[12] = FAT_NTRES_LOWER_BASE;
	raw_entry(3, e);
	CHECK_EQ(mount(), 0);		/* the root sector was cached */
	CHECK_EQ(fat_lookup(&vol, "MIXED.TXT", &de), 0);
	CHECK_STR(de.name, "mixed.TXT");
	/* Entries after an end marker are not read. */
	memset(e, 0, 32);
	raw_entry(4, e);
	memcpy(e, "HIDDEN     ", 11);
	raw_entry(5, e);
	CHECK_EQ(mount(), 0);
	CHECK_EQ(fat_lookup(&vol, "HIDDEN", &de), -ENOENT);
	/* ... and a directory like that is never written to. */
	CHECK_EQ(put("/new", 1, 0, 1), -EBADMSG);
}

/* ------------------------------------------------------------ FAT entries */

TEST(fat12_straddle)
{
	uint32_t v;
	uint8_t *f0, *f1;

	mkfs_mount((struct spec){ .type = 12, .clusters = 4000 });
	/* Entry 341 starts at byte 511: it straddles the first two FAT sectors. */
	CHECK_EQ(fat_set(&vol, 340, 0xabc), 0);
	CHECK_EQ(fat_set(&vol, 341, 0x123), 0);
	CHECK_EQ(fat_set(&vol, 342, 0x456), 0);
	CHECK_EQ(fat_fat_flush(&vol), 0);
	f0 = img + 512;
	f1 = f0 + (size_t)vol.g.fat_sectors * 512;
	CHECK_EQ(f0[510], 0xbc);			/* 340 even: low byte, then low nibble */
	CHECK_EQ(f0[511], 0x3a);			/* 341 odd: its low nibble high */
	CHECK_EQ(f0[512], 0x12);
	CHECK_EQ(f0[513], 0x56);
	CHECK_EQ(f0[514] & 0x0f, 0x4);
	CHECK(fats_equal());
	CHECK(memcmp(f1 + 510, f0 + 510, 5) == 0);
	CHECK_EQ(mount(), 0);				/* read back through a cold cache */
	CHECK_EQ(fat_get(&vol, 340, &v), 0);
	CHECK_EQ(v, 0xabc);
	CHECK_EQ(fat_get(&vol, 341, &v), 0);
	CHECK_EQ(v, 0x123);
	CHECK_EQ(fat_get(&vol, 342, &v), 0);
	CHECK_EQ(v, 0x456);
	CHECK_EQ(fat_set(&vol, 341, 0), 0);		/* neighbours keep their nibbles */
	CHECK_EQ(fat_fat_flush(&vol), 0);
	CHECK_EQ(f0[511], 0x0a);
	CHECK_EQ(f0[512], 0x00);
	CHECK_EQ(fat_get(&vol, 340, &v), 0);
	CHECK_EQ(v, 0xabc);
	/* A file across that boundary. */
	fill(buf, 400 * 512, 7);
	CHECK_EQ(put("/across.bin", 400 * 512, 0, 0), 0);
	CHECK(reads_back("/across.bin", 400 * 512));
	CHECK(fats_equal());
}

TEST(fat32_high_bits)
{
	uint32_t v;
	uint8_t *e;

	mkfs_mount((struct spec){ .type = 32, .clusters = 65525 });
	e = img + 32 * 512 + 4 * 100;
	put32(e, 0xf0000000);				/* reserved bits set, entry free */
	CHECK_EQ(fat_get(&vol, 100, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(fat_set(&vol, 100, 0x0fffffff), 0);
	CHECK_EQ(fat_fat_flush(&vol), 0);
	CHECK_EQ(le_get32(e), 0xffffffff);		/* kept */
}

/* A file /LOOP of size bytes whose chain runs through next[] from cluster 5. */
static void chain_file(uint32_t size, const uint32_t *next, unsigned n)
{
	uint8_t e[32] = "LOOP       ";

	e[26] = 5;
	put32(e + 28, size);
	raw_entry(0, e);
	for (unsigned i = 0; i < n; i++)
		put16(img + 512 + 2 * (5 + i), next[i]);
}

static int read_loop(size_t n)
{
	struct fat_reader r;
	size_t got;
	int err = fat_open(&vol, "/LOOP", &r);

	return err ? err : fat_pread(&r, 0, back, n, &got);
}

TEST(chains)
{
	static const uint32_t loop[] = { 6, 7, 5 }, free_[] = { 6, 0 }, out[] = { 6, 0xfff0 };
	static const uint32_t bad[] = { 6, 0xfff7 }, shrt[] = { 0xffff }, ok[] = { 6, 0xffff };
	struct spec f16 = { .type = 16, .clusters = 5000 };
	struct fat_dirent de;
	struct fat_dir d;
	int r;

	mkfs_mount(f16);
	chain_file(100 * 512, loop, 3);
	CHECK_EQ(read_loop(100 * 512), -EBADMSG);
	CHECK(vol.why != NULL && strstr(vol.why, "loops") != NULL);
	mkfs_mount(f16);
	chain_file(3 * 512, free_, 2);
	CHECK_EQ(read_loop(3 * 512), -EBADMSG);
	mkfs_mount(f16);
	chain_file(3 * 512, out, 2);
	CHECK_EQ(read_loop(3 * 512), -EBADMSG);
	mkfs_mount(f16);
	chain_file(3 * 512, bad, 2);
	CHECK_EQ(read_loop(3 * 512), -EBADMSG);
	mkfs_mount(f16);
	chain_file(2 * 512, shrt, 1);			/* chain shorter than the size */
	CHECK_EQ(read_loop(2 * 512), -EBADMSG);
	mkfs_mount(f16);
	chain_file(1000, ok, 2);
	CHECK_EQ(read_loop(1000), 0);
	/* A first cluster outside the volume. */
	img[(size_t)vol.g.root_start * 512 + 26] = 1;
	CHECK_EQ(mount(), 0);
	CHECK_EQ(read_loop(10), -EBADMSG);
	/* A directory whose chain loops: readdir stops with -EBADMSG. */
	mkfs_mount(f16);
	CHECK_EQ(fat_mkdir_p(&vol, "/D"), 0);
	CHECK_EQ(fat_lookup(&vol, "/D", &de), 0);
	put16(img + 512 + 2 * de.cluster, de.cluster);	/* points at itself */
	CHECK_EQ(mount(), 0);
	CHECK_EQ(fat_opendir(&vol, "/D", &d), 0);
	while ((r = fat_readdir(&d, &de)) == 1)
		;
	CHECK_EQ(r, 0);		/* stops at the end marker, before the loop */
	CHECK_EQ(put("/D/file with a long name", 1, 0, 1), -EBADMSG);	/* a write walks it all */
	CHECK(strstr(vol.why, "loops") != NULL);
}

/* ------------------------------------------------------------ writing */

static void roundtrip(struct spec s)
{
	static const size_t sizes[] = { 0, 1, 511, 512, 513, 4095, 4096, 4097, 70001, 300000 };
	static const size_t pieces[] = { 0, 1, 7, 512, 4096, 65536 };
	char path[64];

	mkfs_mount(s);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t piece = pieces[i % (sizeof(pieces) / sizeof(pieces[0]))];

		if (piece == 1 && sizes[i] > 5000)
			piece = 3;
		fill(buf, sizes[i], (uint32_t)i);
		snprintf(path, sizeof(path), "/EFI/UpdateCapsule/file number %zu.bin", i);
		CHECK_EQ(fat_mkdir_p(&vol, "/EFI/UpdateCapsule"), 0);
		CHECK_EQ(put(path, sizes[i], piece, i % 2 ? sizes[i] : 0), 0);
		CHECK(reads_back(path, sizes[i]));
	}
	CHECK(fats_equal());
	/* Reads at any offset, backwards too. */
	{
		struct fat_reader r;
		size_t got;

		CHECK_EQ(fat_open(&vol, "/EFI/UpdateCapsule/file number 9.bin", &r), 0);
		CHECK_EQ(fat_pread(&r, 250001, back, 1000, &got), 0);
		CHECK_EQ(got, 1000);
		CHECK(memcmp(back, buf + 250001, 1000) == 0);
		CHECK_EQ(fat_pread(&r, 3, back, 10, &got), 0);
		CHECK(memcmp(back, buf + 3, 10) == 0);
		CHECK_EQ(fat_pread(&r, 299990, back, 100, &got), 0);
		CHECK_EQ(got, 10);
		CHECK_EQ(fat_pread(&r, 400000, back, 100, &got), 0);
		CHECK_EQ(got, 0);
	}
	/* Remounted, everything still reads. */
	CHECK_EQ(mount(), 0);
	CHECK(reads_back("/efi/updatecapsule/FILE NUMBER 9.BIN", 300000));
}

TEST(write_read)
{
	roundtrip((struct spec){ .type = 12, .clusters = 2000 });
	roundtrip((struct spec){ .type = 16, .clusters = 5000, .spc = 4 });
	roundtrip((struct spec){ .type = 32, .clusters = 65525 });
	roundtrip((struct spec){ .type = 16, .clusters = 5000, .ss = 4096 });
	roundtrip((struct spec){ .type = 12, .clusters = 300, .ss = 2048, .spc = 32 });	/* 64 KiB */
}

TEST(mkdir_dots)
{
	struct fat_dirent a, b;
	const uint8_t *p;

	for (unsigned t = 16; t <= 32; t += 16) {
		mkfs_mount((struct spec){ .type = t, .clusters = t == 32 ? 65525 : 5000 });
		CHECK_EQ(fat_mkdir_p(&vol, "/a/b"), 0);
		CHECK_EQ(fat_mkdir_p(&vol, "/A/B"), 0);		/* exists: fine */
		CHECK_EQ(fat_lookup(&vol, "/a", &a), 0);
		CHECK_EQ(fat_lookup(&vol, "/a/b", &b), 0);
		CHECK(a.attr & FAT_ATTR_DIRECTORY);
		p = img + (size_t)fat_cluster_sector(&vol, a.cluster) * 512;
		CHECK(memcmp(p, ".          ", 11) == 0);
		CHECK_EQ(le_get16(p + 26) | le_get16(p + 20) << 16, a.cluster);
		CHECK(memcmp(p + 32, "..         ", 11) == 0);
		CHECK_EQ(le_get16(p + 32 + 26) | le_get16(p + 32 + 20) << 16, 0);	/* root: 0 */
		CHECK_EQ(p[64], 0x41);				/* "b": one LFN entry ... */
		CHECK(memcmp(p + 96, "B          ", 11) == 0);	/* ... then its 8.3 entry */
		CHECK_EQ(p[128], 0);
		p = img + (size_t)fat_cluster_sector(&vol, b.cluster) * 512;
		CHECK_EQ(le_get16(p + 32 + 26) | le_get16(p + 32 + 20) << 16, a.cluster);
		CHECK_EQ(fat_mkdir_p(&vol, "/a/b/file"), 0);
		memset(buf, 1, 1);
		CHECK_EQ(put("/a/f", 1, 0, 1), 0);
		CHECK_EQ(fat_mkdir_p(&vol, "/a/f/x"), -ENOTDIR);
		CHECK_EQ(fat_mkdir_p(&vol, "/a/f"), -ENOTDIR);
		CHECK(fats_equal());
	}
}

TEST(dir_growth)
{
	struct fat_dirent e;
	struct fat_dir d;
	char path[64];
	uint32_t len = 0, c;
	int n = 0;

	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });	/* 16 entries a cluster */
	memset(buf, 'g', 100);
	CHECK_EQ(fat_mkdir_p(&vol, "/dir"), 0);
	for (int i = 0; i < 30; i++) {
		snprintf(path, sizeof(path), "/dir/a long file name %d.txt", i);
		CHECK_EQ(put(path, 100, 0, 100), 0);
	}
	CHECK_EQ(fat_lookup(&vol, "/dir", &e), 0);
	for (c = e.cluster; c < 0xfff8 && len < 100; len++)
		c = le_get16(img + 512 + 2 * c);
	CHECK_EQ(len, 7);	/* sets of 3 kept in a sector: 4 in the first, then 5 a cluster */
	CHECK_EQ(fat_opendir(&vol, "/dir", &d), 0);
	while (fat_readdir(&d, &e) == 1)
		n++;
	CHECK_EQ(n, 30);
	CHECK(reads_back("/dir/A LONG FILE NAME 29.TXT", 100));
	/* A name needing 21 entries (255 units) in 512-byte sectors: spans sectors. */
	memset(path, 0, sizeof(path));
	{
		char longname[300] = "/dir/";

		memset(longname + 5, 'L', 255);
		CHECK_EQ(put(longname, 100, 0, 100), 0);
		CHECK(reads_back(longname, 100));
	}
	CHECK(fats_equal());
	/* FAT32's root grows like any directory. */
	mkfs_mount((struct spec){ .type = 32, .clusters = 65525 });
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/root file %d", i);
		CHECK_EQ(put(path, 100, 0, 100), 0);
	}
	CHECK(le_get32(img + 32 * 512 + 8) != 0x0fffffff);	/* cluster 2 links on */
	CHECK(reads_back("/root file 9", 100));
}

TEST(full_root)
{
	char path[32];
	uint64_t need;

	mkfs_mount((struct spec){ .type = 16, .clusters = 5000, .root = 16 });
	memset(buf, 'r', 10);
	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/F%d.BIN", i);
		CHECK_EQ(put(path, 10, 0, 10), 0);
	}
	memcpy(copy, img, img_len);
	CHECK_EQ(put("/G.BIN", 10, 0, 10), -ENOSPC);
	CHECK(vol.why != NULL && strstr(vol.why, "root directory full") != NULL);
	CHECK_EQ(fat_mkdir_p(&vol, "/D"), -ENOSPC);
	CHECK_EQ(fat_space_needed(&vol, "/G.BIN", 10, &need), -ENOSPC);
	CHECK(memcmp(copy, img, img_len) == 0);
	CHECK_EQ(fat_space_needed(&vol, "/F1.BIN", 10, &need), -EEXIST);
}

TEST(enospc_unchanged)
{
	struct fat_dirent e;
	struct fat_file f;
	uint64_t free_bytes, need;
	uint32_t before;

	mkfs_mount((struct spec){ .type = 12, .clusters = 100 });
	fill(buf, 90 * 512, 3);
	CHECK_EQ(put("/big.bin", 90 * 512, 0, 90 * 512), 0);
	CHECK_EQ(fat_free_bytes(&vol, &free_bytes), 0);
	CHECK_EQ(free_bytes, 10 * 512);
	memcpy(copy, img, img_len);
	/* Known size: refused before anything is written. */
	CHECK_EQ(put("/more.bin", 11 * 512, 0, 11 * 512), -ENOSPC);
	CHECK(memcmp(copy, img, img_len) == 0);
	CHECK_EQ(fat_mkdir_p(&vol, "/a/b/c/d/e/f/g/h/i/j/k"), -ENOSPC);
	CHECK(memcmp(copy, img, img_len) == 0);
	CHECK_EQ(fat_space_needed(&vol, "/x/y/z.bin", 9 * 512, &need), 0);
	CHECK_EQ(need, 11 * 512);
	/* Unknown size: runs out mid-write, gives the clusters back: FAT and dirs as before. */
	before = vol.free_clusters;
	CHECK_EQ(fat_create(&vol, "/", "unknown.bin", 0, &f), 0);
	CHECK_EQ(fat_write(&f, buf, 5 * 512), 0);
	CHECK_EQ(fat_write(&f, buf, 6 * 512), -ENOSPC);
	CHECK(vol.why != NULL);
	CHECK_EQ(fat_write(&f, buf, 1), -ENOSPC);		/* sticky */
	CHECK_EQ(fat_close(&f), -ENOSPC);
	CHECK_EQ(vol.free_clusters, before);
	CHECK(memcmp(copy, img, (size_t)vol.g.data_start * 512) == 0);
	CHECK_EQ(fat_lookup(&vol, "/unknown.bin", &e), -ENOENT);
	/* Exactly full is fine. */
	CHECK_EQ(put("/exact.bin", 10 * 512, 4096, 0), 0);
	CHECK(reads_back("/exact.bin", 10 * 512));
	CHECK_EQ(fat_free_bytes(&vol, &free_bytes), 0);
	CHECK_EQ(free_bytes, 0);
	CHECK_EQ(put("/empty", 0, 0, 0), 0);		/* needs no cluster */
	CHECK(reads_back("/empty", 0));
}

TEST(exists)
{
	memset(buf, 'e', 100);
	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	CHECK_EQ(fat_mkdir_p(&vol, "/EFI/UpdateCapsule"), 0);
	CHECK_EQ(put("/EFI/UpdateCapsule/Capsule One.cap", 100, 0, 100), 0);
	memcpy(copy, img, img_len);
	CHECK_EQ(put("/efi/updatecapsule/CAPSULE ONE.CAP", 100, 0, 100), -EEXIST);
	CHECK_EQ(put("/EFI/UpdateCapsule/CAPSUL~1.CAP", 100, 0, 100), -EEXIST);
	CHECK_EQ(put("/EFI/UpdateCapsule", 100, 0, 100), -EEXIST);
	CHECK_EQ(put("/efi", 100, 0, 100), -EEXIST);
	CHECK_EQ(put("/nodir/x", 100, 0, 100), -ENOENT);
	CHECK(memcmp(copy, img, img_len) == 0);
}

TEST(busy_limits)
{
	struct fat_file f, g;
	struct fat_vol ro;

	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	CHECK_EQ(fat_create(&vol, "/a", NULL, 0, &f), 0);
	CHECK_EQ(fat_create(&vol, "/b", NULL, 0, &g), -EBUSY);
	CHECK_EQ(fat_mkdir_p(&vol, "/c"), -EBUSY);
	/* 4 GiB - 1 at most, checked before anything is taken. */
	f.size = FAT_FILE_MAX - 10;
	CHECK_EQ(fat_write(&f, buf, 11), -EFBIG);
	CHECK_EQ(fat_write(&f, buf, 10), 0);		/* still usable */
	f.size = 10;
	CHECK_EQ(fat_abort(&f), 0);
	CHECK_EQ(fat_create(&vol, "/b", NULL, (uint64_t)FAT_FILE_MAX + 1, &g), -EFBIG);
	CHECK_EQ(fat_create(&vol, "/b", NULL, 0, &g), 0);
	CHECK_EQ(fat_close(&g), 0);
	CHECK_EQ(fat_close(&g), -EINVAL);
	/* Without a scratch buffer the volume is read-only. */
	CHECK_EQ(fat_mount(&ro, &dev, NULL, 0), 0);
	CHECK_EQ(fat_create(&ro, "/c", NULL, 0, &g), -EINVAL);
	CHECK_EQ(fat_mkdir_p(&ro, "/c"), -EINVAL);
}

TEST(unmirrored)
{
	struct spec s = { .type = 32, .clusters = 65525 };
	size_t fat = 0;

	mkfs(s);
	put16(img + 40, 0x0081);			/* no mirroring, FAT 1 active */
	CHECK_EQ(mount(), 0);
	fat = (size_t)vol.g.fat_sectors * 512;
	memcpy(copy, img + 32 * 512, fat);
	memset(buf, 'm', 5000);
	CHECK_EQ(put("/m.bin", 5000, 0, 5000), 0);
	CHECK(memcmp(copy, img + 32 * 512, fat) == 0);	/* FAT 0 untouched */
	CHECK(memcmp(copy, img + 32 * 512 + fat, fat) != 0);
	CHECK(reads_back("/m.bin", 5000));
}

/* ------------------------------------------------------------ cuts */

static uint8_t base[8u << 20];
static long writes_left;

static int cut_read(struct blkdev *d, uint64_t lba, uint32_t count, void *out)
{
	memcpy(out, img + lba * d->sector_size, (size_t)count * d->sector_size);
	return 0;
}

/* The power goes after writes_left sector writes: later ones never happen. */
static int cut_write(struct blkdev *d, uint64_t lba, uint32_t count, const void *in)
{
	for (uint32_t i = 0; i < count; i++, writes_left--) {
		if (writes_left <= 0)
			return -EIO;
		memcpy(img + (lba + i) * d->sector_size, (const uint8_t *)in + (size_t)i * d->sector_size,
		       d->sector_size);
	}
	return 0;
}

static const struct blkdev_ops cut_ops = { cut_read, cut_write, NULL };

/*
 * After a cut: the old files whole, the directories readable, the new file
 * absent or whole.  The FAT copies may differ (the cut fell between them),
 * but only where the base image had a free cluster or the growing
 * directory's last one.
 */
static bool survived(const char *newpath, size_t n, uint32_t dir_last)
{
	static uint8_t keep[3000];
	size_t fsz = (size_t)vol.g.fat_sectors * 512;
	const uint8_t *f0 = img + 512, *b0 = base + 512;
	struct fat_dirent e;
	struct fat_dir d;
	bool ok = mount() == 0;
	int r = 0;

	memcpy(keep, buf, sizeof(keep));
	fill(buf, sizeof(keep), 99);
	ok = ok && reads_back("/Kept file with a long name.bin", sizeof(keep));
	memset(buf, 'k', 100);
	ok = ok && reads_back("/dir/KEPT2", 100);
	ok = ok && fat_opendir(&vol, "/dir", &d) == 0;
	while (ok && (r = fat_readdir(&d, &e)) == 1)
		;
	ok = ok && r == 0;
	memcpy(buf, keep, sizeof(keep));
	if (ok && fat_lookup(&vol, newpath, &e) == 0 && n != 0)
		ok = reads_back(newpath, n);
	for (uint32_t c = 2; ok && c < 5002; c++)
		for (unsigned k = 0; k < 2; k++)
			if (le_get16(f0 + k * fsz + 2 * c) != le_get16(b0 + 2 * c) &&
			    le_get16(b0 + 2 * c) != 0 && c != dir_last)
				ok = false;
	return ok;
}

TEST(cuts)
{
	struct fat_dirent e;
	struct blkdev cut;
	char name[32];
	uint32_t dir_last;
	int done = 0, k, err;

	mkfs_mount((struct spec){ .type = 16, .clusters = 5000 });
	fill(buf, 3000, 99);
	CHECK_EQ(put("/Kept file with a long name.bin", 3000, 0, 3000), 0);
	CHECK_EQ(fat_mkdir_p(&vol, "/dir"), 0);
	memset(buf, 'k', 100);
	CHECK_EQ(put("/dir/KEPT2", 100, 0, 100), 0);
	for (int i = 0; i < 13; i++) {		/* the directory's cluster full: 2 + 1 + 13 */
		snprintf(name, sizeof(name), "/dir/F%d", i);
		CHECK_EQ(put(name, 1, 0, 1), 0);
	}
	memcpy(base, img, img_len);
	CHECK_EQ(fat_lookup(&vol, "/dir", &e), 0);
	dir_last = e.cluster;		/* one cluster so far */
	fill(buf, 3000, 5);
	/* Cut after every write of a put that grows the directory, then of a mkdir -p. */
	for (k = 0; k < 200 && !done; k++) {
		memcpy(img, base, img_len);
		cut = dev;
		cut.ops = &cut_ops;
		writes_left = k;
		CHECK_EQ(fat_mount(&vol, &cut, scratch, sizeof(scratch)), 0);
		err = put("/dir/a new file with a long name.bin", 3000, 1000, 0);
		done = err == 0;
		CHECK(err == 0 || err == -EIO);
		CHECK(survived("/dir/a new file with a long name.bin", 3000, dir_last));
	}
	CHECK(done);
	CHECK(k > 10);
	for (done = 0, k = 0; k < 200 && !done; k++) {
		memcpy(img, base, img_len);
		cut = dev;
		cut.ops = &cut_ops;
		writes_left = k;
		CHECK_EQ(fat_mount(&vol, &cut, scratch, sizeof(scratch)), 0);
		err = fat_mkdir_p(&vol, "/dir/new one/two");
		done = err == 0;
		CHECK(err == 0 || err == -EIO);
		CHECK(survived("/dir/new one/two", 0, dir_last));
	}
	CHECK(done);
}

TEST_MAIN(mount_types, mount_rules, fsinfo, short_names, names_on_disk, lfn_sets, fat12_straddle,
	  fat32_high_bits, chains, write_read, mkdir_dots, dir_growth, full_root, enospc_unchanged,
	  exists, busy_limits, unmirrored, cuts)
