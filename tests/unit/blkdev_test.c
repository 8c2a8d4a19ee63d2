/* Host tests for formats/blkdev.c over the RAM device: bounds refusals and
 * their reporter, partition views (translation and bounds), splitting at
 * max_transfer; and the kernel's registry (kernel/blkdev_registry.c, linked
 * beside the pure library). */
#include <errno.h>

#include "formats/blkdev.h"
#include "kernel/blkdev_registry.h"
#include "tests/unit/test.h"

static uint8_t mem[64 * 512];

TEST(ram_and_bounds)
{
	struct blkdev d;
	uint8_t buf[1024];

	CHECK_EQ(blkdev_ram_init(&d, "ram0", mem, sizeof(mem), 512), 0);
	CHECK_EQ(d.sectors, 64);
	memset(buf, 0xab, sizeof(buf));
	CHECK_EQ(blkdev_write(&d, 62, 2, buf), 0);
	CHECK_EQ(mem[62 * 512], 0xab);
	CHECK_EQ(blkdev_write(&d, 63, 2, buf), -ERANGE);
	CHECK_EQ(blkdev_read(&d, 64, 1, buf), -ERANGE);
	CHECK_EQ(blkdev_read(&d, ~0ull, 1, buf), -ERANGE);
	CHECK_EQ(blkdev_read(&d, 0, 0, buf), -EINVAL);
	CHECK_EQ(blkdev_read(&d, 0, 1, NULL), -EINVAL);
	CHECK_EQ(blkdev_ram_init(&d, "bad", mem, 1000, 512), -EINVAL);
	CHECK_EQ(blkdev_ram_init(&d, "bad", mem, sizeof(mem), 768), -EINVAL);
}

TEST(partition_view)
{
	struct blkdev d, p;
	uint8_t buf[512];

	memset(mem, 0, sizeof(mem));
	blkdev_ram_init(&d, "ram0", mem, sizeof(mem), 512);
	CHECK_EQ(blkdev_partition(&p, &d, 2, 10, 20), 0);
	CHECK_STR(p.name, "ram0p2");
	memset(buf, 0x5a, sizeof(buf));
	CHECK_EQ(blkdev_write(&p, 0, 1, buf), 0);
	CHECK_EQ(mem[10 * 512], 0x5a);
	CHECK_EQ(blkdev_write(&p, 20, 1, buf), -ERANGE);	/* past the view, inside the disk */
	CHECK_EQ(mem[30 * 512], 0);
	CHECK_EQ(blkdev_partition(&p, &d, 3, 60, 5), -ERANGE);
	CHECK_EQ(blkdev_partition(&p, &d, 3, 0, 0), -ERANGE);
}

static struct {
	unsigned calls;
	const struct blkdev *dev;
	const char *what;
	uint64_t lba;
	uint32_t count;
	int err;
} heard;

static void hear(const struct blkdev *dev, const char *what, uint64_t lba, uint32_t count,
		 int err)
{
	heard.calls++;
	heard.dev = dev;
	heard.what = what;
	heard.lba = lba;
	heard.count = count;
	heard.err = err;
}

/* Refusals reach the reporter with the numbers; accepted requests do not. */
TEST(refusal_report)
{
	struct blkdev d;
	uint8_t buf[512];

	blkdev_ram_init(&d, "ram0", mem, sizeof(mem), 512);
	blkdev_set_refusal_report(hear);
	CHECK_EQ(blkdev_read(&d, 0, 1, buf), 0);
	CHECK_EQ(heard.calls, 0);
	CHECK_EQ(blkdev_write(&d, 63, 2, buf), -ERANGE);
	CHECK_EQ(heard.calls, 1);
	CHECK(heard.dev == &d);
	CHECK_STR(heard.what, "write");
	CHECK_EQ(heard.lba, 63);
	CHECK_EQ(heard.count, 2);
	CHECK_EQ(heard.err, -ERANGE);
	CHECK_EQ(blkdev_read(&d, 0, 0, buf), -EINVAL);
	CHECK_EQ(heard.calls, 2);
	CHECK_STR(heard.what, "read");
	CHECK_EQ(heard.err, -EINVAL);
	blkdev_set_refusal_report(NULL);
	CHECK_EQ(blkdev_read(&d, 64, 1, buf), -ERANGE);
	CHECK_EQ(heard.calls, 2);
}

TEST(split_and_registry)
{
	static struct blkdev d;
	static uint8_t big[64 * 512];

	blkdev_ram_init(&d, "ram1", mem, sizeof(mem), 512);
	d.max_transfer = 3;
	memset(big, 7, sizeof(big));
	CHECK_EQ(blkdev_write(&d, 0, 64, big), 0);
	CHECK_EQ(mem[63 * 512 + 511], 7);
	CHECK_EQ(blkdev_register(&d), 0);
	CHECK(blkdev_find("ram1") == &d);
	CHECK(blkdev_find("nope") == NULL);
	CHECK_EQ(blkdev_count(), 1);
}

/* Names from the command line: "ram1", "ram1p2"; after split_and_registry. */
TEST(parse_name)
{
	static const char *const bad[] = {
		"ram2", "ram1p", "ram1p0", "ram1p2x", "p1", "ram1q1", "ram1p99999999", "",
		"averyveryverylongname0p1",
	};
	unsigned part = 99;

	CHECK(blkdev_parse_name("ram1", &part) == blkdev_find("ram1"));
	CHECK_EQ(part, 0);
	CHECK(blkdev_parse_name("ram1p2", &part) == blkdev_find("ram1"));
	CHECK_EQ(part, 2);
	CHECK(blkdev_parse_name("ram1p17", &part) == blkdev_find("ram1"));
	CHECK_EQ(part, 17);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(blkdev_parse_name(bad[i], &part) == NULL);
}

TEST_MAIN(ram_and_bounds, partition_view, refusal_report, split_and_registry, parse_name)
