// SPDX-License-Identifier: GPL-2.0
/*
 * noiommu_bench: measure IOMMU_IOAS_NOIOMMU_GET_PA and the IOAS of a noiommu
 * device (QEMU's edu, PCI 1234:11e8, bound to vfio-pci) in one boot and on
 * the same buffers, next to a reference the guest has without extra
 * hardware: an IOAS with iommufd's mock device attached (IOMMUFD_TEST's
 * IOMMU_TEST_OP_MOCK_DOMAIN, a generic_pt AMDv1 page table):
 *
 *  - IOMMU_IOAS_MAP / IOMMU_IOAS_UNMAP per page on both IOASes, interleaved
 *    sample by sample at the same IOVA, and the kernel memory the mappings
 *    cost on each (SecPageTables and nr_iommu_pages for page-table pages,
 *    Slab/SUnreclaim for iommufd's own objects);
 *  - the same for a fully fragmented mapping: page i of the 4 KiB buffer at
 *    IOVA base + (N-1-i) pages, one IOAS_MAP per page, verified with GET_PA
 *    and /proc/self/pagemap to have no two IOVA-adjacent pages physically
 *    adjacent;
 *  - the cost of a one page GET_PA (4 KiB and 2 MiB) next to the iommufd
 *    syscall floor (IOMMU_OPTION get of IOMMU_OPTION_RLIMIT_MODE);
 *  - translating whole buffers into physically contiguous runs with GET_PA,
 *    and the legacy way (mlock + batched pread of /proc/self/pagemap), with
 *    a cross-check that both find the same runs;
 *  - the latency of IOAS_MAP + IOAS_UNMAP of a small area while another
 *    thread walks the 1 GiB buffers with GET_PA in the same IOAS, against
 *    the same thread idle and busy with other ioctls, in interleaved phases;
 *  - a DMA sanity check through edu's DMA engine (QEMU-bound).
 *
 *   noiommu_bench [-r REPS] [-n CALLS] [-b BATCH] [-d DMAS] [-s MIB] [-l MIB]
 *                 [-f FRAG_MIB] [-F FRAG_REPS] [-c CONC_MS] [-C CONC_PHASES]
 *                 [-t TOL] BDF
 *
 * Output: "BENCH kind=... key=value ..." lines for scripts/bench.sh, progress
 * on stderr. Exit status: 0 when it ran (whether or not the performance
 * targets were met), 1 when it could not run, 2 when GET_PA and pagemap
 * disagree or a DMA came back wrong (a correctness bug).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

/*
 * Not exported UAPI: IOMMU_TEST_CMD and struct iommu_test_cmd come from the
 * kernel tree the main kernel is built from (scripts/bench.sh passes
 * -I build/linux/drivers/iommu/iommufd), so they cannot drift from it.
 */
#include "iommufd_test.h"

#include "edu.h"
#include "vfio_dev.h"

#define PAGE_SZ		4096UL
#define HPAGE_SZ	(2UL << 20)
#define MIB		(1UL << 20)
#define GIB		(1UL << 30)
#define MAX_REPS	64
#define MAX_SAMPLES	256
#define MEM_REPS	3
#define RATE_SAMPLES	4	/* per repetition */
#define CONC_MAX	(1 << 20)	/* latency samples per condition */
#define CONC_AREA	(64 * 1024UL)	/* the small area mapped meanwhile */

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

/* edu's buffer is 4 KiB; a DMA that ends at its very end kills QEMU 7.2 */
#define EDU_XFER	4032

/*
 * IOVAs. The mock domain's aperture is [MOCK_APERTURE_START,
 * MOCK_APERTURE_LAST] (16 MiB .. 2 GiB - 1): MAP/UNMAP timing, the memory
 * measurements and the fragmented mapping use the same IOVAs on both IOASes,
 * from IOVA_CMP, so both page tables get the same layout. The noiommu IOAS
 * keeps the buffers mapped above that for the GET_PA measurements.
 */
#define IOVA_CMP	GIB
#define IOVA_KEEP(i)	((4UL + 4UL * (i)) * GIB)
#define IOVA_CONC	(24UL * GIB)
#define IOVA_V7RUNS	(32UL * GIB)

/* Pages a run of the mapping that compares GET_PA with v7's recorded run */
#define V7_RUN_PAGES	64

/* Targets (see README.md, "Benchmark") */
#define T_GETPA_VS_FLOOR	3.0
#define T_HUGE_STEPS		100.0
#define T_UNMAP_MAP_2M		2.0
#define T_UNMAP_MAP_4K		1.5
#define T_TABLE_FRAG_KB		(2.5 * 1024)	/* per GiB */
#define T_TABLE_2M_KB		64.0		/* per GiB */
#define T_GETPA_2M_VS_4K	2.0
#define T_GETPA_VS_PAGEMAP_2M	100.0
#define T_CONC_ADDED_US		1000.0
/*
 * v7's recorded run (README): GET_PA walk of 4k-1G 11025.3 us median for
 * 3921 runs, syscall floor 568 ns in that boot: 2812 ns per run, 4.95x.
 */
#define V7_WALK_NS_PER_RUN	(11025.3e3 / 3921)
#define V7_FLOOR_NS		568.0
#define T_WALK_RUN_VS_FLOOR	(V7_WALK_NS_PER_RUN / V7_FLOOR_NS)

enum { D_NOIOMMU, D_MOCK, ND };
static const char *const dom_name[ND] = { "noiommu", "mock" };

struct run {
	uint64_t off;		/* from the start of the buffer */
	uint64_t phys;
	uint64_t len;
};

struct runs {
	struct run *r;
	size_t n;
	size_t cap;
};

struct meminfo {
	long memfree;
	long slab;
	long sunreclaim;
	long pagetables;
	long secpt;		/* SecPageTables, kB */
	long iommu_pages;	/* nr_iommu_pages of /proc/vmstat */
	long anonhuge;
};

struct stat2 {
	double med;
	double min;
};

/*
 * Kernel memory deltas of a mapping, kB (iommu_pages: pages), from a fresh
 * domain; kept: SecPageTables still allocated after the UNMAP (a generic_pt
 * table frees a table page only when one unmap covers all of it)
 */
struct memd {
	long secpt, iommu_pages, slab, sunreclaim, memfree, kept;
};

struct buf {
	char name[32];
	size_t size;
	int huge;
	uint8_t *va;
	uint64_t iova;		/* where the noiommu IOAS keeps it */
	size_t pages;
	/* results */
	size_t runs;
	struct stat2 getpa, pagemap, pagewise;	/* us */
	struct stat2 mlock;			/* ms */
	struct stat2 map[ND], unmap[ND];	/* ms */
	double map_aa[ND], unmap_aa[ND];	/* A/A: even vs odd samples */
	size_t map_samples;
	size_t mem_copies;			/* mappings for the memory */
	struct memd mem[ND];
	long anonhuge;		/* THP kB the buffer got, must be 0 */
	/* pages in runs whose IOVA and PA agree modulo 64 KiB, 2 MiB */
	size_t align64k, align2m;
	size_t longest_run;	/* pages */
};

/* The fully fragmented mapping (a prefix of the large 4 KiB buffer) */
struct frag {
	int done;
	size_t size, pages;
	int reps;
	struct stat2 map[ND], unmap[ND];	/* ms */
	struct memd mem[ND];
	size_t runs_getpa;	/* GET_PA runs over the mapping */
	size_t adjacent;	/* IOVA-adjacent pairs physically adjacent */
	size_t moved;		/* pages moved from the reverse order for that */
	int verified;		/* GET_PA == pagemap, page by page */
	struct stat2 walk;	/* us, GET_PA run by run over it */
};

struct conc_stat {
	size_t n;
	double med, p99, p999, max;	/* us */
	double phase_max_med;		/* us, median of the phases' maxima */
	char phase_max[256];		/* us, each phase's maximum */
	size_t hist[5];			/* >= 1, 2, 4, 8, 16 ms */
	double max_map, max_unmap;	/* us, the longest MAP and UNMAP */
};

struct bench {
	const char *bdf;
	int devfd;
	int iommufd;
	uint32_t ioas[ND];
	uint32_t mock_stdev;
	int pagemap;
	volatile uint8_t *bar;
	int reps;
	long calls;
	size_t batch;
	int dmas;
	size_t frag_mib;
	int frag_reps;
	long conc_ms;
	int conc_phases;
	double tol;
	size_t max_size;	/* of the largest buffer */
	uint64_t *pm_ent;
	struct runs a, b;
	struct stat2 floor, getpa1, getpa1_rand, getpa2m, getpa2m_rand;
	struct frag frag;
	struct stat2 v7runs_walk;	/* us; one area */
	size_t v7runs_runs;
	struct stat2 v7areas_walk;	/* us; an area per chunk */
	size_t v7areas_runs;
	struct conc_stat conc[4];
	double conc_getpa_call_max_us;
	long conc_walks, conc_busy_calls, conc_ranges_calls;
	int conc_pinned;
	int mismatch;
};

static void fail(const char *what)
{
	int err = errno;

	printf("BENCH kind=error what=%s errno=%d\n", what, err);
	fprintf(stderr, "noiommu_bench: FAILED: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t))
		fail("clock_gettime");
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static uint64_t t_start;

/* Progress on stderr (the console), with the seconds since the start */
static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "noiommu_bench: [%6.1fs] ", (now_ns() - t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median and minimum of n samples; scale divides them (ns -> unit) */
static struct stat2 summarize(const uint64_t *v, size_t n, double scale)
{
	uint64_t s[MAX_SAMPLES];
	struct stat2 st;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	st.min = s[0] / scale;
	if (n % 2)
		st.med = s[n / 2] / scale;
	else
		st.med = (s[n / 2 - 1] + s[n / 2]) / 2.0 / scale;
	return st;
}

static long median_long(long *v, int n)
{
	int i, j;
	long t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void runs_init(struct runs *rs, size_t cap)
{
	rs->r = calloc(cap, sizeof(*rs->r));
	if (!rs->r)
		fail("calloc runs");
	rs->n = 0;
	rs->cap = cap;
}

static void runs_append(struct runs *rs, uint64_t off, uint64_t phys,
			uint64_t len)
{
	if (rs->n == rs->cap) {
		errno = EOVERFLOW;
		fail("more runs than pages");
	}
	rs->r[rs->n++] = (struct run){ .off = off, .phys = phys, .len = len };
}

/* Append, merging with the last run when both offset and phys continue it */
static void runs_extend(struct runs *rs, uint64_t off, uint64_t phys,
			uint64_t len)
{
	struct run *last = rs->n ? &rs->r[rs->n - 1] : NULL;

	if (last && last->off + last->len == off &&
	    last->phys + last->len == phys) {
		last->len += len;
		return;
	}
	runs_append(rs, off, phys, len);
}

/* ---- devices and IOASes ---- */

static void find_cdev(struct bench *b, char *path, size_t sz)
{
	int rc = noiommu_cdev_path(b->bdf, path, sz);

	if (rc) {
		errno = -rc;
		fail(noiommu_cdev_error(rc));
	}
}

static uint32_t ioas_alloc(struct bench *b)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };

	if (ioctl(b->iommufd, IOMMU_IOAS_ALLOC, &ioas))
		fail("IOMMU_IOAS_ALLOC");
	return ioas.out_ioas_id;
}

/*
 * The noiommu IOAS with the edu cdev attached, and the reference IOAS with
 * a mock device attached (IOMMU_TEST_OP_MOCK_DOMAIN: iommufd's selftest
 * device, whose automatic domain is a generic_pt AMDv1 table), both on the
 * same iommufd.
 */
static void open_devices(struct bench *b)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	char cdev[300];

	find_cdev(b, cdev, sizeof(cdev));
	b->devfd = open(cdev, O_RDWR);
	if (b->devfd < 0)
		fail("open cdev");
	b->iommufd = open("/dev/iommu", O_RDWR);
	if (b->iommufd < 0)
		fail("open /dev/iommu");
	bind.iommufd = b->iommufd;
	if (ioctl(b->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		fail("VFIO_DEVICE_BIND_IOMMUFD");
	b->ioas[D_NOIOMMU] = ioas_alloc(b);
	attach.pt_id = b->ioas[D_NOIOMMU];
	if (ioctl(b->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");

	b->ioas[D_MOCK] = ioas_alloc(b);
	mock.id = b->ioas[D_MOCK];
	if (ioctl(b->iommufd, IOMMU_TEST_CMD, &mock))
		fail("IOMMU_TEST_OP_MOCK_DOMAIN (CONFIG_IOMMUFD_TEST?)");
	b->mock_stdev = mock.mock_domain.out_stdev_id;
}

static void destroy(struct bench *b, uint32_t id, const char *what)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (ioctl(b->iommufd, IOMMU_DESTROY, &d))
		fail(what);
}

/*
 * Move domain d to a new, empty IOAS (nothing may be mapped in the old one):
 * its automatic domain, and so its page table, starts afresh. The edu cdev
 * is detached and attached again; the mock device is destroyed and a new one
 * made.
 */
static void fresh_ioas(struct bench *b, int d)
{
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	uint32_t old = b->ioas[d];

	b->ioas[d] = ioas_alloc(b);
	if (d == D_NOIOMMU) {
		if (ioctl(b->devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach))
			fail("VFIO_DEVICE_DETACH_IOMMUFD_PT");
		attach.pt_id = b->ioas[d];
		if (ioctl(b->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
			fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT (again)");
	} else {
		destroy(b, b->mock_stdev, "IOMMU_DESTROY of the mock device");
		mock.id = b->ioas[d];
		if (ioctl(b->iommufd, IOMMU_TEST_CMD, &mock))
			fail("IOMMU_TEST_OP_MOCK_DOMAIN (again)");
		b->mock_stdev = mock.mock_domain.out_stdev_id;
		}
	destroy(b, old, "IOMMU_DESTROY of an IOAS");
}

static void open_bar(struct bench *b)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	uint16_t cmd;
	void *p;

	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(b->devfd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		fail("config region info");
	if (pread(b->devfd, &cmd, 2, reg.offset + 4) != 2)
		fail("read PCI_COMMAND");
	cmd |= 0x6;	/* memory space + bus master */
	if (pwrite(b->devfd, &cmd, 2, reg.offset + 4) != 2)
		fail("write PCI_COMMAND");
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(b->devfd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		fail("BAR0 region info");
	p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 b->devfd, reg.offset);
	if (p == MAP_FAILED)
		fail("mmap BAR0");
	b->bar = p;
}

/* Map at a fixed IOVA */
static void ioas_map(struct bench *b, uint32_t ioas, void *va, size_t len,
		     uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	if (ioctl(b->iommufd, IOMMU_IOAS_MAP, &map))
		fail("IOMMU_IOAS_MAP");
}

static void ioas_unmap(struct bench *b, uint32_t ioas, uint64_t iova,
		       size_t len)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	if (ioctl(b->iommufd, IOMMU_IOAS_UNMAP, &unmap))
		fail("IOMMU_IOAS_UNMAP");
	if (unmap.length != len) {
		errno = EIO;
		fail("IOMMU_IOAS_UNMAP unmapped a different length");
	}
}

/* Physical address of iova; *len: in the bytes wanted, out the run */
static uint64_t get_pa(struct bench *b, uint64_t iova, uint64_t *len)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp),
		.ioas_id = b->ioas[D_NOIOMMU],
		.iova = iova,
		.length = *len,
	};

	if (ioctl(b->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp))
		fail("IOMMU_IOAS_NOIOMMU_GET_PA");
	if (!gp.length || gp.length > *len) {
		errno = ERANGE;
		fail("IOMMU_IOAS_NOIOMMU_GET_PA returned a bad length");
	}
	*len = gp.length;
	return gp.out_phys;
}

/* ---- buffers ---- */

/* Named after page size and size: 4k-64M, 2m-1G, ... */
static void buf_init(struct buf *buf, size_t mib, int huge)
{
	memset(buf, 0, sizeof(*buf));
	buf->size = mib * MIB;
	buf->huge = huge;
	if (mib % 1024)
		snprintf(buf->name, sizeof(buf->name), "%s-%zuM",
			 huge ? "2m" : "4k", mib);
	else
		snprintf(buf->name, sizeof(buf->name), "%s-%zuG",
			 huge ? "2m" : "4k", mib / 1024);
}

static void buf_alloc(struct buf *buf)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t i;
	void *p;

	if (buf->huge)
		flags |= MAP_HUGETLB;
	progress("%s: touch", buf->name);
	p = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		fail(buf->huge ? "mmap MAP_HUGETLB (too few 2M pages?)" :
				 "mmap");
	buf->va = p;
	buf->pages = buf->size / PAGE_SZ;
	for (i = 0; i < buf->size; i += PAGE_SZ)
		buf->va[i] = (uint8_t)(i / PAGE_SZ);
}

static void buf_free(struct buf *buf)
{
	if (munmap(buf->va, buf->size))
		fail("munmap");
	buf->va = NULL;
}

/* ---- the two ways to find the physically contiguous runs ---- */

/*
 * One GET_PA per run, as a user building a DMA list does: a call reads at
 * most 256 leaves of the page table, so a run of more 4 KiB leaves takes
 * more than one call, and the pieces that continue it are joined.
 */
static void getpa_walk(struct bench *b, uint64_t iova, size_t size,
		       struct runs *out)
{
	uint64_t off = 0, len, phys;

	out->n = 0;
	while (off < size) {
		len = size - off;
		phys = get_pa(b, iova + off, &len);
		runs_extend(out, off, phys, len);
		off += len;
	}
}

/* One GET_PA per page, as a page-by-page user would do */
static void getpa_pagewise(struct bench *b, struct buf *buf, struct runs *out)
{
	uint64_t off, len, phys;

	out->n = 0;
	for (off = 0; off < buf->size; off += PAGE_SZ) {
		len = PAGE_SZ;
		phys = get_pa(b, buf->iova + off, &len);
		runs_extend(out, off, phys, len);
	}
}

/* Read the PFNs of pages [first, first + n) of buf into b->pm_ent */
static void pagemap_read(struct bench *b, struct buf *buf, size_t first,
			 size_t n, uint64_t *ent)
{
	uint64_t vpn = (uintptr_t)buf->va / PAGE_SZ;
	ssize_t want = n * sizeof(uint64_t);
	size_t i;

	if (pread(b->pagemap, ent, want, (vpn + first) * sizeof(uint64_t)) != want)
		fail("pread /proc/self/pagemap");
	for (i = 0; i < n; i++) {
		if (!(ent[i] & PM_PRESENT) || !(ent[i] & PM_PFN_MASK)) {
			errno = EPERM;
			fail("pagemap: page not present or PFN hidden");
		}
	}
}

static void pagemap_walk(struct bench *b, struct buf *buf, struct runs *out)
{
	size_t done = 0, n, i;

	out->n = 0;
	while (done < buf->pages) {
		n = buf->pages - done;
		if (n > b->batch)
			n = b->batch;
		pagemap_read(b, buf, done, n, b->pm_ent);
		for (i = 0; i < n; i++)
			runs_extend(out, (done + i) * PAGE_SZ,
				    (b->pm_ent[i] & PM_PFN_MASK) * PAGE_SZ,
				    PAGE_SZ);
		done += n;
	}
}

/* GET_PA's runs (a) and pagemap's (b) must be identical */
static int check_runs(struct bench *b, const char *name, const char *how)
{
	size_t i, shown = 0, n = b->a.n < b->b.n ? b->a.n : b->b.n;
	const struct run *x, *y;

	for (i = 0; i < n && shown < 5; i++) {
		x = &b->a.r[i];
		y = &b->b.r[i];
		if (x->off == y->off && x->phys == y->phys && x->len == y->len)
			continue;
		printf("BENCH kind=mismatch buf=%s how=%s run=%zu getpa_off=0x%" PRIx64
		       " getpa_phys=0x%" PRIx64 " getpa_len=0x%" PRIx64
		       " pagemap_off=0x%" PRIx64 " pagemap_phys=0x%" PRIx64
		       " pagemap_len=0x%" PRIx64 "\n", name, how, i,
		       x->off, x->phys, x->len, y->off, y->phys, y->len);
		shown++;
	}
	if (b->a.n != b->b.n || shown) {
		printf("BENCH kind=mismatch buf=%s how=%s runs_getpa=%zu runs_pagemap=%zu\n",
		       name, how, b->a.n, b->b.n);
		fprintf(stderr, "noiommu_bench: MISMATCH on %s (%s): GET_PA and pagemap disagree\n",
			name, how);
		b->mismatch = 1;
		return 0;
	}
	return 1;
}

/* ---- memory ---- */

static long vmstat_read(const char *name)
{
	char line[256], key[64];
	long val, ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		fail("open /proc/vmstat");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &val) == 2 &&
		    !strcmp(key, name))
			ret = val;
	fclose(f);
	return ret;
}

/*
 * /proc/meminfo and /proc/vmstat show the global counters, which the
 * per-CPU differences reach only past a threshold or at the next vmstat
 * update (every second, and not on an idle CPU): tens of pages per CPU can
 * be missing. Writing /proc/sys/vm/stat_refresh folds them in first.
 */
static void stat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd < 0)
		fail("open /proc/sys/vm/stat_refresh");
	/* EINVAL only reports a counter that is negative for a while */
	if (write(fd, "1", 1) != 1 && errno != EINVAL)
		fail("write /proc/sys/vm/stat_refresh");
	close(fd);
}

static void meminfo_read(struct meminfo *m)
{
	char line[256], key[64];
	long val;
	FILE *f;

	stat_refresh();
	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		fail("open /proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %ld", key, &val) != 2)
			continue;
		if (!strcmp(key, "MemFree"))
			m->memfree = val;
		else if (!strcmp(key, "Slab"))
			m->slab = val;
		else if (!strcmp(key, "SUnreclaim"))
			m->sunreclaim = val;
		else if (!strcmp(key, "PageTables"))
			m->pagetables = val;
		else if (!strcmp(key, "SecPageTables"))
			m->secpt = val;
		else if (!strcmp(key, "AnonHugePages"))
			m->anonhuge = val;
	}
	fclose(f);
	m->iommu_pages = vmstat_read("nr_iommu_pages");
}

/*
 * m0: before the map, m1: while mapped, m2: after the unmap. Each
 * measurement is printed as it is made (kind=memrep), for the record.
 */
static struct memd mem_delta(const char *what, int d, int rep,
			     const struct meminfo *m0, const struct meminfo *m1,
			     const struct meminfo *m2)
{
	printf("BENCH kind=memrep what=%s dom=%s rep=%d secpt_kb=%ld,%ld,%ld iommu_pages=%ld,%ld,%ld"
	       " sunreclaim_kb=%ld,%ld,%ld slab_kb=%ld,%ld,%ld\n", what, dom_name[d], rep,
	       m0->secpt, m1->secpt, m2->secpt, m0->iommu_pages, m1->iommu_pages,
	       m2->iommu_pages, m0->sunreclaim, m1->sunreclaim, m2->sunreclaim,
	       m0->slab, m1->slab, m2->slab);
	return (struct memd){
		.secpt = m1->secpt - m0->secpt,
		.iommu_pages = m1->iommu_pages - m0->iommu_pages,
		.slab = m1->slab - m0->slab,
		.sunreclaim = m1->sunreclaim - m0->sunreclaim,
		.memfree = m0->memfree - m1->memfree,
		.kept = m2->secpt - m0->secpt,
	};
}

static struct memd memd_median(struct memd *v, int n)
{
	long s[MAX_REPS], p[MAX_REPS], l[MAX_REPS], u[MAX_REPS], f[MAX_REPS];
	long k[MAX_REPS];
	int i;

	for (i = 0; i < n; i++) {
		s[i] = v[i].secpt;
		p[i] = v[i].iommu_pages;
		l[i] = v[i].slab;
		u[i] = v[i].sunreclaim;
		f[i] = v[i].memfree;
		k[i] = v[i].kept;
	}
	return (struct memd){
		.secpt = median_long(s, n), .iommu_pages = median_long(p, n),
		.slab = median_long(l, n), .sunreclaim = median_long(u, n),
		.memfree = median_long(f, n), .kept = median_long(k, n),
	};
}

/* ---- MAP / UNMAP against the mock domain ---- */

/*
 * An A/A comparison: the median of the even samples against the median of
 * the odd ones, as |ratio - 1|. The same operation on the same IOAS, so
 * anything but 0 is noise (each half has half the samples, so this somewhat
 * overstates the noise of the median of all of them).
 */
static double aa_noise(const uint64_t *v, size_t n)
{
	uint64_t h[2][MAX_SAMPLES / 2 + 1];
	size_t k[2] = { 0, 0 }, i;
	double r;

	if (n < 4)
		return 0;
	for (i = 0; i < n; i++)
		h[i % 2][k[i % 2]++] = v[i];
	r = summarize(h[0], k[0], 1).med / summarize(h[1], k[1], 1).med;
	return r > 1 ? r - 1 : 1 - r;
}

/*
 * MAP + UNMAP of the whole buffer at IOVA_CMP on both IOASes, interleaved
 * sample by sample (which IOAS goes first alternates), after one sample of
 * each that is not counted (the tables then have their steady state). Each
 * buffer gets at least REPS samples and as many more as fit in MAP_TIME_NS
 * (at most MAX_SAMPLES), so that a short operation is not at the mercy of a
 * few host preemptions.
 */
#define MAP_TIME_NS	2000000000ULL

static void bench_map_time(struct bench *b, struct buf *buf)
{
	uint64_t tm[ND][MAX_SAMPLES], tu[ND][MAX_SAMPLES], t, t0;
	size_t n = b->reps;
	size_t i;
	int k, d;

	t0 = now_ns();
	for (d = 0; d < ND; d++) {
		ioas_map(b, b->ioas[d], buf->va, buf->size, IOVA_CMP);
		ioas_unmap(b, b->ioas[d], IOVA_CMP, buf->size);
	}
	t = now_ns() - t0;
	if (t && MAP_TIME_NS / t > n)
		n = MAP_TIME_NS / t;
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	for (i = 0; i < n; i++) {
		for (k = 0; k < ND; k++) {
			d = (k + i) % ND;
			t = now_ns();
			ioas_map(b, b->ioas[d], buf->va, buf->size, IOVA_CMP);
			tm[d][i] = now_ns() - t;
			t = now_ns();
			ioas_unmap(b, b->ioas[d], IOVA_CMP, buf->size);
			tu[d][i] = now_ns() - t;
		}
	}
	buf->map_samples = n;
	for (d = 0; d < ND; d++) {
		buf->map[d] = summarize(tm[d], n, 1e6);
		buf->unmap[d] = summarize(tu[d], n, 1e6);
		buf->map_aa[d] = aa_noise(tm[d], n);
		buf->unmap_aa[d] = aa_noise(tu[d], n);
	}
}

/*
 * The kernel memory of 1 GiB of mappings of buf (buf mapped 1 GiB / size
 * times at consecutive IOVAs from IOVA_CMP, the same on both IOASes),
 * median of MEM_REPS, the IOASes interleaved, each time on a fresh IOAS and
 * domain so that the table starts empty. Read 200 ms after the maps, so that
 * memory freed through RCU while the table grew is back.
 */
static void bench_map_mem(struct bench *b, struct buf *buf)
{
	struct memd v[ND][MEM_REPS];
	struct meminfo m0, m1, m2;
	size_t n = GIB / buf->size, i;
	int r, k, d;

	if (!n)
		n = 1;
	for (r = 0; r < MEM_REPS; r++) {
		for (k = 0; k < ND; k++) {
			d = (k + r) % ND;
			fresh_ioas(b, d);
			sleep_ms(200);
			meminfo_read(&m0);
			for (i = 0; i < n; i++)
				ioas_map(b, b->ioas[d], buf->va, buf->size,
					 IOVA_CMP + i * buf->size);
			sleep_ms(200);
			meminfo_read(&m1);
			for (i = 0; i < n; i++)
				ioas_unmap(b, b->ioas[d],
					   IOVA_CMP + i * buf->size, buf->size);
			sleep_ms(200);
			meminfo_read(&m2);
			v[d][r] = mem_delta(buf->name, d, r, &m0, &m1, &m2);
		}
	}
	buf->mem_copies = n;
	for (d = 0; d < ND; d++)
		buf->mem[d] = memd_median(v[d], MEM_REPS);
}

/* mlock of the whole buffer, reps times; it stays locked afterwards */
static void bench_mlock(struct bench *b, struct buf *buf)
{
	uint64_t tl[MAX_REPS], t;
	int r;

	for (r = 0; r < b->reps; r++) {
		if (r && munlock(buf->va, buf->size))
			fail("munlock");
		t = now_ns();
		if (mlock(buf->va, buf->size))
			fail("mlock");
		tl[r] = now_ns() - t;
	}
	buf->mlock = summarize(tl, b->reps, 1e6);
}

/* ---- mappings in reverse order: fully fragmented, and v7's run length ---- */

/*
 * A buffer mapped chunk by chunk (chunk pages per IOAS_MAP) in reverse
 * order: buffer chunk perm[s] at IOVA slot s, perm[s] = nchunks - 1 - s, so
 * IOVA-adjacent chunks are not physically adjacent unless the allocator
 * happened to hand out pages in descending order. With one page a chunk the
 * mapping must be fully fragmented: where two IOVA-adjacent pages would be
 * physically adjacent, one of them changes places with the next slot's page
 * (moved counts these).
 */
struct layout {
	size_t pages, chunk, nchunks;
	uint32_t *perm;
	uint64_t *pfn;		/* of the buffer's pages, from pagemap */
	size_t moved;
};

static void read_pfns(struct bench *b, struct buf *buf, uint64_t *pfn,
		      size_t pages)
{
	size_t done, m, i;

	for (done = 0; done < pages; done += m) {
		m = pages - done;
		if (m > b->batch)
			m = b->batch;
		pagemap_read(b, buf, done, m, pfn + done);
	}
	for (i = 0; i < pages; i++)
		pfn[i] &= PM_PFN_MASK;
}

static void layout_init(struct bench *b, struct buf *buf, struct layout *l,
			size_t pages, size_t chunk)
{
	size_t s, n, passes;
	uint32_t x;

	l->pages = pages;
	l->chunk = chunk;
	l->nchunks = pages / chunk;
	l->moved = 0;
	l->perm = calloc(l->nchunks, sizeof(*l->perm));
	l->pfn = calloc(pages, sizeof(*l->pfn));
	if (!l->perm || !l->pfn)
		fail("calloc layout");
	for (s = 0; s < l->nchunks; s++)
		l->perm[s] = l->nchunks - 1 - s;
	if (chunk != 1)
		return;
	read_pfns(b, buf, l->pfn, pages);
	n = l->nchunks;
	for (passes = 0; passes < 8; passes++) {
		size_t fixed = 0;

		for (s = 0; s + 1 < n; s++) {
			if (l->pfn[l->perm[s + 1]] != l->pfn[l->perm[s]] + 1)
				continue;
			/* swap with a page two slots on (or before, at the end) */
			if (s + 2 < n) {
				x = l->perm[s + 1];
				l->perm[s + 1] = l->perm[s + 2];
				l->perm[s + 2] = x;
			} else if (s > 0) {
				x = l->perm[s];
				l->perm[s] = l->perm[s - 1];
				l->perm[s - 1] = x;
			}
			fixed++;
		}
		l->moved += fixed;
		if (!fixed)
			break;
	}
}

static void layout_free(struct layout *l)
{
	free(l->perm);
	free(l->pfn);
}

/* Map the layout at iova, chunk by chunk, buffer chunk 0 first */
static void layout_map(struct bench *b, int d, struct buf *buf,
		       struct layout *l, uint64_t iova)
{
	size_t s;

	for (s = l->nchunks; s-- > 0;)
		ioas_map(b, b->ioas[d], buf->va + (size_t)l->perm[s] * l->chunk * PAGE_SZ,
			 l->chunk * PAGE_SZ, iova + s * l->chunk * PAGE_SZ);
}

/*
 * While the layout is mapped (so its pages are pinned) in the noiommu IOAS:
 * the runs it must have, from /proc/self/pagemap, against GET_PA's, walked
 * reps times (the walk is timed). Returns the IOVA-adjacent pairs that are
 * physically adjacent.
 */
static size_t layout_verify(struct bench *b, struct buf *buf, struct layout *l,
			    uint64_t iova, const char *name, int reps,
			    struct stat2 *walk, size_t *runs, int *verified)
{
	uint64_t tw[MAX_REPS], t;
	size_t k, page;
	int r;

	read_pfns(b, buf, l->pfn, l->pages);
	b->b.n = 0;
	for (k = 0; k < l->pages; k++) {
		page = (size_t)l->perm[k / l->chunk] * l->chunk + k % l->chunk;
		runs_extend(&b->b, k * PAGE_SZ, l->pfn[page] * PAGE_SZ, PAGE_SZ);
	}
	*verified = 1;
	for (r = 0; r < reps; r++) {
		t = now_ns();
		getpa_walk(b, iova, l->pages * PAGE_SZ, &b->a);
		tw[r] = now_ns() - t;
		*verified &= check_runs(b, name, "walk");
	}
	*runs = b->a.n;
	*walk = summarize(tw, reps, 1e3);
	return l->pages - b->b.n;
}

static void bench_frag(struct bench *b, struct buf *buf)
{
	uint64_t tm[ND][MAX_REPS], tu[ND][MAX_REPS], t;
	struct memd v[ND][MAX_REPS];
	struct frag *fr = &b->frag;
	struct meminfo m0, m1, m2;
	struct layout l;
	int r, k, d;

	fr->size = b->frag_mib * MIB;
	fr->pages = fr->size / PAGE_SZ;
	fr->reps = b->frag_reps;
	layout_init(b, buf, &l, fr->pages, 1);
	fr->moved = l.moved;
	for (r = 0; r < fr->reps; r++) {
		for (k = 0; k < ND; k++) {
			d = (k + r) % ND;
			progress("frag-%zuM: %s %d/%d: %zu one-page maps",
				 b->frag_mib, dom_name[d], r + 1, fr->reps, fr->pages);
			fresh_ioas(b, d);
			sleep_ms(200);
			meminfo_read(&m0);
			t = now_ns();
			layout_map(b, d, buf, &l, IOVA_CMP);
			tm[d][r] = now_ns() - t;
			sleep_ms(200);
			meminfo_read(&m1);
			if (d == D_NOIOMMU && r == 0)
				fr->adjacent = layout_verify(b, buf, &l, IOVA_CMP,
							     "frag", fr->reps,
							     &fr->walk,
							     &fr->runs_getpa,
							     &fr->verified);
			t = now_ns();
			ioas_unmap(b, b->ioas[d], IOVA_CMP, fr->size);
			tu[d][r] = now_ns() - t;
			sleep_ms(200);
			meminfo_read(&m2);
			v[d][r] = mem_delta("frag", d, r, &m0, &m1, &m2);
		}
	}
	layout_free(&l);
	for (d = 0; d < ND; d++) {
		fr->map[d] = summarize(tm[d], fr->reps, 1e6);
		fr->unmap[d] = summarize(tu[d], fr->reps, 1e6);
		fr->mem[d] = memd_median(v[d], fr->reps);
	}
	fr->done = 1;
}

/* Move chunk perm[s] of buf's layout to slot s of alias, or back */
static void layout_move(struct buf *buf, struct layout *l, uint8_t *alias,
			int back)
{
	size_t csz = l->chunk * PAGE_SZ, s;
	uint8_t *from, *to;

	for (s = 0; s < l->nchunks; s++) {
		from = buf->va + (size_t)l->perm[s] * csz;
		to = alias + s * csz;
		if (back) {
			to = from;
			from = alias + s * csz;
		}
		if (mremap(from, csz, csz, MREMAP_MAYMOVE | MREMAP_FIXED, to) ==
		    MAP_FAILED)
			fail("mremap of a chunk");
	}
}

/*
 * The large 4 KiB buffer with runs of at most V7_RUN_PAGES pages, close to
 * the 66.9 pages a run of v7's recorded run, walked with GET_PA in the
 * noiommu IOAS, twice:
 *
 *  - as v7's run was measured, one IOAS_MAP of the buffer, so every run
 *    ends inside one area: the chunks are moved with mremap() (the pages
 *    stay where they are, pinned by the buffer's own mapping in the IOAS) to
 *    an alias in reverse order, the alias is mapped once, and the chunks go
 *    back afterwards;
 *  - with an IOAS_MAP per chunk at the same IOVAs, so a run mostly ends
 *    where an area does, and GET_PA looks the next area up before it can
 *    tell that the run ends there.
 */
static void bench_v7runs(struct bench *b, struct buf *buf)
{
	struct buf alias = *buf;
	struct layout l, whole;
	int verified;
	void *p;

	layout_init(b, buf, &l, buf->pages, V7_RUN_PAGES);
	/*
	 * In the alias, IOVA order is the order of the pages. Allocated before
	 * the move: an allocation made while the buffer's range is empty could
	 * land there and be overwritten when the chunks go back.
	 */
	layout_init(b, &alias, &whole, buf->pages, buf->pages);

	p = mmap(NULL, buf->size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		fail("mmap of the alias");
	alias.va = p;
	layout_move(buf, &l, alias.va, 0);
	ioas_map(b, b->ioas[D_NOIOMMU], alias.va, buf->size, IOVA_V7RUNS);
	layout_verify(b, &alias, &whole, IOVA_V7RUNS, "v7runs", b->reps,
		      &b->v7runs_walk, &b->v7runs_runs, &verified);
	ioas_unmap(b, b->ioas[D_NOIOMMU], IOVA_V7RUNS, buf->size);
	layout_move(buf, &l, alias.va, 1);
	if (munmap(alias.va, buf->size))
		fail("munmap of the alias");
	layout_free(&whole);

	layout_map(b, D_NOIOMMU, buf, &l, IOVA_V7RUNS);
	layout_verify(b, buf, &l, IOVA_V7RUNS, "v7areas", b->reps,
		      &b->v7areas_walk, &b->v7areas_runs, &verified);
	ioas_unmap(b, b->ioas[D_NOIOMMU], IOVA_V7RUNS, buf->size);
	layout_free(&l);
}

/* ---- GET_PA ---- */

/*
 * How many pages are in runs that allow leaves of 64 KiB or 2 MiB and more:
 * a page table can only use a leaf of a size where IOVA and physical
 * address agree modulo it.
 */
static void runs_align(const struct runs *rs, uint64_t iova, size_t *a64k,
		       size_t *a2m)
{
	uint64_t x;
	size_t i;

	*a64k = *a2m = 0;
	for (i = 0; i < rs->n; i++) {
		x = (iova + rs->r[i].off) ^ rs->r[i].phys;
		if (!(x & (64 * 1024 - 1)))
			*a64k += rs->r[i].len / PAGE_SZ;
		if (!(x & (HPAGE_SZ - 1)))
			*a2m += rs->r[i].len / PAGE_SZ;
	}
}

/* GET_PA walk vs pagemap walk, interleaved, cross-checked every time */
static void bench_walks(struct bench *b, struct buf *buf)
{
	uint64_t tg[MAX_REPS], tp[MAX_REPS], tw[MAX_REPS], t;
	int r;

	for (r = 0; r < b->reps; r++) {
		t = now_ns();
		getpa_walk(b, buf->iova, buf->size, &b->a);
		tg[r] = now_ns() - t;
		t = now_ns();
		pagemap_walk(b, buf, &b->b);
		tp[r] = now_ns() - t;
		check_runs(b, buf->name, "walk");
	}
	buf->runs = b->a.n;
	runs_align(&b->a, buf->iova, &buf->align64k, &buf->align2m);
	buf->longest_run = 0;
	for (r = 0; r < (int)b->a.n; r++)
		if (b->a.r[r].len / PAGE_SZ > buf->longest_run)
			buf->longest_run = b->a.r[r].len / PAGE_SZ;
	buf->getpa = summarize(tg, b->reps, 1e3);
	buf->pagemap = summarize(tp, b->reps, 1e3);

	for (r = 0; r < b->reps; r++) {
		t = now_ns();
		getpa_pagewise(b, buf, &b->a);
		tw[r] = now_ns() - t;
		check_runs(b, buf->name, "pagewise");
	}
	buf->pagewise = summarize(tw, b->reps, 1e3);
}

/*
 * ns for b->calls GET_PA of one page (pg bytes) in a row; rnd picks random
 * pages of buf
 */
static uint64_t time_getpa(struct bench *b, struct buf *buf, uint64_t pg,
			   int rnd)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp), .ioas_id = b->ioas[D_NOIOMMU],
	};
	uint64_t t = now_ns(), x = 0, npg = buf->size / pg;
	long i;

	for (i = 0; i < b->calls; i++) {
		if (rnd)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		gp.iova = buf->iova + (x >> 20) % npg * pg;
		gp.length = pg;
		if (ioctl(b->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp))
			fail("IOMMU_IOAS_NOIOMMU_GET_PA (rate)");
		if (gp.length != pg) {
			errno = ERANGE;
			fail("GET_PA of one page returned less than the page");
		}
	}
	return now_ns() - t;
}

/*
 * ns for b->calls GET_PA that fail with err: the cost of the checks the
 * kernel makes before it gets that far (flags: dispatch and capability;
 * unmapped IOVA: plus IOAS lookup, locks and the area search).
 */
static uint64_t time_getpa_err(struct bench *b, uint32_t flags, uint64_t iova,
			       int err)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp), .ioas_id = b->ioas[D_NOIOMMU],
		.flags = flags, .iova = iova, .length = PAGE_SZ,
	};
	uint64_t t = now_ns();
	long i;
	int rc;

	for (i = 0; i < b->calls; i++) {
		rc = ioctl(b->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp);
		if (rc != -1 || errno != err) {
			if (rc != -1)
				errno = EINVAL;
			fail("IOMMU_IOAS_NOIOMMU_GET_PA: unexpected result (rate)");
		}
	}
	return now_ns() - t;
}

/*
 * IOMMU_OPTION get: of RLIMIT_MODE (global, the syscall floor) or, with
 * ioas, of the IOAS's HUGE_PAGES (plus the IOAS lookup)
 */
static void option_get(struct bench *b, int ioas)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = ioas ? IOMMU_OPTION_HUGE_PAGES :
				    IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = ioas ? b->ioas[D_NOIOMMU] : 0,
	};

	if (ioctl(b->iommufd, IOMMU_OPTION, &opt))
		fail("IOMMU_OPTION get");
}

static uint64_t time_floor(struct bench *b, int ioas)
{
	uint64_t t = now_ns();
	long i;

	for (i = 0; i < b->calls; i++)
		option_get(b, ioas);
	return now_ns() - t;
}

static void print_rate(const char *name, const char *buf, long calls,
		       size_t samples, struct stat2 st)
{
	printf("BENCH kind=rate name=%s buf=%s calls=%ld samples=%zu ns_med=%.0f ns_min=%.0f calls_per_s=%.0f\n",
	       name, buf, calls, samples, st.med, st.min, 1e9 / st.med);
}

/*
 * The syscall floor, the same plus an IOAS lookup, one page GET_PA (4 KiB
 * and 2 MiB pages, the same page and random pages) and two failing GET_PA,
 * in many short samples interleaved one by one so that noise on the host hits
 * them alike. bufs: 4k small, 4k large, 2m small, 2m large, all mapped in
 * the noiommu IOAS; the IOVA right after the small 4k one is not mapped.
 */
static void bench_rate(struct bench *b, struct buf *bufs)
{
	uint64_t tf[MAX_SAMPLES], ti[MAX_SAMPLES], tg[MAX_SAMPLES];
	uint64_t tgr[MAX_SAMPLES], th[MAX_SAMPLES], thr[MAX_SAMPLES];
	uint64_t te[MAX_SAMPLES], tu[MAX_SAMPLES];
	size_t r, n = b->reps * RATE_SAMPLES;

	for (r = 0; r < n; r++) {
		tf[r] = time_floor(b, 0);
		ti[r] = time_floor(b, 1);
		tg[r] = time_getpa(b, &bufs[0], PAGE_SZ, 0);
		tgr[r] = time_getpa(b, &bufs[1], PAGE_SZ, 1);
		th[r] = time_getpa(b, &bufs[2], HPAGE_SZ, 0);
		thr[r] = time_getpa(b, &bufs[3], HPAGE_SZ, 1);
		te[r] = time_getpa_err(b, 1, bufs[0].iova, EOPNOTSUPP);
		tu[r] = time_getpa_err(b, 0, bufs[0].iova + bufs[0].size, ENOENT);
	}
	b->floor = summarize(tf, n, b->calls);
	b->getpa1 = summarize(tg, n, b->calls);
	b->getpa1_rand = summarize(tgr, n, b->calls);
	b->getpa2m = summarize(th, n, b->calls);
	b->getpa2m_rand = summarize(thr, n, b->calls);
	print_rate("floor", "none", b->calls, n, b->floor);
	print_rate("ioas_option", "none", b->calls, n,
		   summarize(ti, n, b->calls));
	print_rate("getpa_1page", bufs[0].name, b->calls, n, b->getpa1);
	print_rate("getpa_1page_random", bufs[1].name, b->calls, n,
		   b->getpa1_rand);
	print_rate("getpa_2m", bufs[2].name, b->calls, n, b->getpa2m);
	print_rate("getpa_2m_random", bufs[3].name, b->calls, n,
		   b->getpa2m_rand);
	print_rate("getpa_err_flags", bufs[0].name, b->calls, n,
		   summarize(te, n, b->calls));
	print_rate("getpa_err_unmapped", bufs[0].name, b->calls, n,
		   summarize(tu, n, b->calls));
}

/* ---- GET_PA walks against a concurrent MAP/UNMAP ---- */

enum { C_IDLE, C_BUSY, C_GETPA, C_RANGES, NC };
static const char *const cond_name[NC] = { "idle", "busy", "getpa", "ranges" };

struct conc {
	struct bench *b;
	struct buf *walk[2];	/* the 1 GiB buffers, mapped */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	volatile int mode;	/* a C_* value, or -1 to exit */
	volatile int gen;	/* bumped on every mode change */
	uint64_t getpa_call_max;	/* ns, longest single GET_PA */
	int pinned;		/* each thread on a CPU of its own */
	long walks, busy_calls, ranges_calls;
};

/*
 * IOMMU_IOAS_IOVA_RANGES on the noiommu IOAS: a read-side ioctl that iommufd
 * has had from the start, which takes the IOAS's iova_rwsem for read as
 * GET_PA does, for as short a time. A loop of it is the control that tells
 * what any reader of that lock does to its writers from what GET_PA adds.
 */
static void iova_ranges(struct bench *b)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = b->ioas[D_NOIOMMU],
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)r,
	};

	if (ioctl(b->iommufd, IOMMU_IOAS_IOVA_RANGES, &cmd))
		fail("IOMMU_IOAS_IOVA_RANGES");
}

/*
 * The second thread: idle (blocked), busy with ioctls that do not touch
 * the IOAS (the IOMMU_OPTION syscall floor), walking the 1 GiB buffers
 * run by run with GET_PA, which asks each time for the rest of the buffer,
 * or calling IOMMU_IOAS_IOVA_RANGES on the IOAS back to back.
 */
/* Run the calling thread on cpu only; 0 if that is not possible */
static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static void *conc_thread(void *arg)
{
	struct conc *c = arg;
	uint64_t off, len, t, dt;
	int mode, i;

	c->pinned &= pin_to_cpu(1);

	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (c->mode == C_IDLE)
			pthread_cond_wait(&c->cv, &c->lock);
		mode = c->mode;
		pthread_mutex_unlock(&c->lock);
		if (mode < 0)
			return NULL;
		if (mode == C_BUSY) {
			for (i = 0; i < 64; i++)
				option_get(c->b, 0);
			c->busy_calls += 64;
			continue;
		}
		if (mode == C_RANGES) {
			for (i = 0; i < 64; i++)
				iova_ranges(c->b);
			c->ranges_calls += 64;
			continue;
		}
		for (i = 0; i < 2 && c->mode == C_GETPA; i++) {
			struct buf *w = c->walk[i];

			for (off = 0; off < w->size && c->mode == C_GETPA;
			     off += len) {
				len = w->size - off;
				t = now_ns();
				get_pa(c->b, w->iova + off, &len);
				dt = now_ns() - t;
				if (dt > c->getpa_call_max)
					c->getpa_call_max = dt;
			}
			c->walks += off >= w->size;
		}
	}
}

static void conc_set(struct conc *c, int mode)
{
	pthread_mutex_lock(&c->lock);
	c->mode = mode;
	c->gen++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->lock);
}

static double pct(const uint64_t *s, size_t n, double p)
{
	size_t i = (size_t)(p * (n - 1) + 0.5);

	return s[i] / 1e3;
}

/*
 * IOAS_MAP + IOAS_UNMAP of a small area of its own (CONC_AREA of 4 KiB
 * pages at IOVA_CONC, the same IOAS) timed over and over while the other
 * thread is idle, busy, walking with GET_PA or calling IOVA_RANGES, in
 * phases of conc_ms each, the four conditions interleaved (rotated each
 * round, reps rounds).
 */
static void bench_conc(struct bench *b, struct buf *bufs)
{
	uint64_t *lat[NC], phase_max[NC][MAX_REPS], t0, tmid, t1, end;
	uint64_t max_map[NC] = { 0 }, max_unmap[NC] = { 0 };
	static const uint64_t hist_ms[5] = { 1, 2, 4, 8, 16 };
	size_t n[NC] = { 0 };
	struct conc c = { .b = b, .mode = C_IDLE, .pinned = 1 };
	uint8_t *area;
	pthread_t th;
	int r, k, cnd, i;
	size_t j;

	area = mmap(NULL, CONC_AREA, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		fail("mmap conc area");
	for (j = 0; j < CONC_AREA; j += PAGE_SZ)
		area[j] = 1;
	for (k = 0; k < NC; k++) {
		lat[k] = malloc(CONC_MAX * sizeof(uint64_t));
		if (!lat[k])
			fail("malloc latencies");
	}
	c.walk[0] = &bufs[1];
	c.walk[1] = &bufs[3];
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cv, NULL);
	/*
	 * The timing thread on CPU 0, the other one on CPU 1, so that the
	 * scheduler never puts them on one CPU and a delay can only come
	 * from what they share in the kernel.
	 */
	c.pinned = pin_to_cpu(0);
	if (pthread_create(&th, NULL, conc_thread, &c))
		fail("pthread_create");

	for (r = 0; r < b->conc_phases; r++) {
		for (k = 0; k < NC; k++) {
			cnd = (k + r) % NC;
			conc_set(&c, cnd);
			sleep_ms(20);	/* let the other thread get going */
			phase_max[cnd][r] = 0;
			end = now_ns() + b->conc_ms * 1000000ULL;
			do {
				t0 = now_ns();
				ioas_map(b, b->ioas[D_NOIOMMU], area, CONC_AREA,
					 IOVA_CONC);
				tmid = now_ns();
				ioas_unmap(b, b->ioas[D_NOIOMMU], IOVA_CONC,
					   CONC_AREA);
				t1 = now_ns();
				if (tmid - t0 > max_map[cnd])
					max_map[cnd] = tmid - t0;
				if (t1 - tmid > max_unmap[cnd])
					max_unmap[cnd] = t1 - tmid;
				if (n[cnd] < CONC_MAX)
					lat[cnd][n[cnd]++] = t1 - t0;
				if (t1 - t0 > phase_max[cnd][r])
					phase_max[cnd][r] = t1 - t0;
			} while (t1 < end);
		}
	}
	conc_set(&c, -1);
	pthread_join(th, NULL);

	for (k = 0; k < NC; k++) {
		struct conc_stat *s = &b->conc[k];
		size_t len = 0;

		qsort(lat[k], n[k], sizeof(uint64_t), cmp_u64);
		s->n = n[k];
		s->med = pct(lat[k], n[k], 0.5);
		s->p99 = pct(lat[k], n[k], 0.99);
		s->p999 = pct(lat[k], n[k], 0.999);
		s->max = lat[k][n[k] - 1] / 1e3;
		s->max_map = max_map[k] / 1e3;
		s->max_unmap = max_unmap[k] / 1e3;
		for (j = 0; j < n[k]; j++)
			for (i = 0; i < 5; i++)
				s->hist[i] += lat[k][j] >= hist_ms[i] * 1000000;
		for (i = 0; i < b->conc_phases && len < sizeof(s->phase_max) - 16; i++)
			len += snprintf(s->phase_max + len,
					sizeof(s->phase_max) - len, "%s%.0f",
					i ? "," : "", phase_max[k][i] / 1e3);
		s->phase_max_med = summarize(phase_max[k], b->conc_phases, 1e3).med;
		free(lat[k]);
	}
	b->conc_getpa_call_max_us = c.getpa_call_max / 1e3;
	b->conc_walks = c.walks;
	b->conc_busy_calls = c.busy_calls;
	b->conc_ranges_calls = c.ranges_calls;
	b->conc_pinned = c.pinned;
	/* the rest of the program may run anywhere again */
	{
		cpu_set_t all;

		CPU_ZERO(&all);
		for (i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &all);
		sched_setaffinity(0, sizeof(all), &all);
	}
	munmap(area, CONC_AREA);
}

/* ---- DMA ---- */

static void dma(struct bench *b, uint64_t src, uint64_t dst, uint64_t cmd)
{
	int ret = edu_dma(b->bar, src, dst, EDU_XFER, cmd);

	if (ret) {
		errno = -ret;
		fail("edu DMA did not complete");
	}
}

/* One round trip RAM -> edu -> RAM between two pages of buf; 0 if intact */
static int dma_round_trip(struct bench *b, struct buf *buf, size_t src_pg,
			  size_t dst_pg, unsigned int seed)
{
	uint8_t *src = buf->va + src_pg * PAGE_SZ, *dst = buf->va + dst_pg * PAGE_SZ;
	uint64_t len = PAGE_SZ, pa_src, pa_dst;
	int i;

	for (i = 0; i < EDU_XFER; i++)
		src[i] = (uint8_t)(i * 13 + seed);
	memset(dst, 0, EDU_XFER);
	pa_src = get_pa(b, buf->iova + src_pg * PAGE_SZ, &len);
	len = PAGE_SZ;
	pa_dst = get_pa(b, buf->iova + dst_pg * PAGE_SZ, &len);
	dma(b, pa_src, EDU_BUF_ADDR, 0);
	dma(b, EDU_BUF_ADDR, pa_dst, EDU_CMD_TO_RAM);
	return memcmp(src, dst, EDU_XFER);
}

static void bench_dma(struct bench *b, struct buf *buf)
{
	size_t stride = buf->pages / (2 * b->dmas), pg;
	uint64_t t0, dt;
	int i, bad = 0;

	open_bar(b);
	t0 = now_ns();
	for (i = 0; i < b->dmas; i++) {
		pg = 2 * i * stride;
		bad += dma_round_trip(b, buf, pg, pg + 1, i) != 0;
	}
	dt = now_ns() - t0;
	printf("BENCH kind=dma buf=%s round_trips=%d bytes_each=%d ms_per_dma=%.1f MBps=%.3f verified=%d\n",
	       buf->name, b->dmas, EDU_XFER, dt / 1e6 / (2 * b->dmas),
	       2.0 * b->dmas * EDU_XFER / (dt / 1e3), !bad);
	if (bad) {
		fprintf(stderr, "noiommu_bench: %d DMA round trips came back wrong\n", bad);
		b->mismatch = 1;
	}
}

/* ---- output ---- */

static void print_memd(const char *pfx, const struct memd *m)
{
	printf(" %ssecpt_kb=%ld %siommu_pages=%ld %sslab_kb=%ld %ssunreclaim_kb=%ld %smemfree_kb=%ld"
	       " %skept_secpt_kb=%ld",
	       pfx, m->secpt, pfx, m->iommu_pages, pfx, m->slab, pfx,
	       m->sunreclaim, pfx, m->memfree, pfx, m->kept);
}

static void print_buf(struct buf *buf)
{
	printf("BENCH kind=buf name=%s page_kb=%lu size_mib=%zu pages=%zu runs=%zu"
	       " getpa_us_med=%.1f getpa_us_min=%.1f pagemap_us_med=%.1f pagemap_us_min=%.1f"
	       " pagewise_us_med=%.1f pagewise_us_min=%.1f mlock_ms_med=%.3f mlock_ms_min=%.3f"
	       " map_samples=%zu mem_copies=%zu thp_kb=%ld align64k_pages=%zu align2m_pages=%zu"
	       " longest_run_pages=%zu",
	       buf->name, (buf->huge ? HPAGE_SZ : PAGE_SZ) / 1024,
	       buf->size / MIB, buf->pages, buf->runs,
	       buf->getpa.med, buf->getpa.min, buf->pagemap.med, buf->pagemap.min,
	       buf->pagewise.med, buf->pagewise.min, buf->mlock.med, buf->mlock.min,
	       buf->map_samples, buf->mem_copies, buf->anonhuge, buf->align64k,
	       buf->align2m, buf->longest_run);
	for (int d = 0; d < ND; d++) {
		const char *p = d == D_MOCK ? "mock_" : "";

		printf(" %smap_ms_med=%.3f %smap_ms_min=%.3f %sunmap_ms_med=%.3f %sunmap_ms_min=%.3f"
		       " %smap_ns_page=%.1f %sunmap_ns_page=%.1f %smap_aa=%.3f %sunmap_aa=%.3f",
		       p, buf->map[d].med, p, buf->map[d].min, p, buf->unmap[d].med,
		       p, buf->unmap[d].min, p, buf->map[d].med * 1e6 / buf->pages,
		       p, buf->unmap[d].med * 1e6 / buf->pages, p, buf->map_aa[d],
		       p, buf->unmap_aa[d]);
		print_memd(d == D_MOCK ? "mock_d_" : "d_", &buf->mem[d]);
	}
	printf("\n");
	fflush(stdout);
}

static void print_frag(struct bench *b)
{
	struct frag *fr = &b->frag;

	char name[32];

	if (b->frag_mib % 1024)
		snprintf(name, sizeof(name), "frag-%zuM", b->frag_mib);
	else
		snprintf(name, sizeof(name), "frag-%zuG", b->frag_mib / 1024);
	printf("BENCH kind=frag name=%s size_mib=%zu pages=%zu reps=%d runs_getpa=%zu adjacent_pairs=%zu moved=%zu verified=%d"
	       " walk_us_med=%.1f walk_us_min=%.1f",
	       name, fr->size / MIB, fr->pages, fr->reps,
	       fr->runs_getpa, fr->adjacent, fr->moved, fr->verified, fr->walk.med,
	       fr->walk.min);
	for (int d = 0; d < ND; d++) {
		const char *p = d == D_MOCK ? "mock_" : "";

		printf(" %smap_ms_med=%.1f %smap_ms_min=%.1f %sunmap_ms_med=%.1f %sunmap_ms_min=%.1f"
		       " %smap_ns_page=%.1f %sunmap_ns_page=%.1f",
		       p, fr->map[d].med, p, fr->map[d].min, p, fr->unmap[d].med,
		       p, fr->unmap[d].min, p, fr->map[d].med * 1e6 / fr->pages,
		       p, fr->unmap[d].med * 1e6 / fr->pages);
		print_memd(d == D_MOCK ? "mock_d_" : "d_", &fr->mem[d]);
	}
	printf("\n");
}

static void print_v7runs(struct bench *b, struct buf *buf)
{
	printf("BENCH kind=v7runs name=%s-v7runs chunk_pages=%d areas=1 pages=%zu runs=%zu walk_us_med=%.1f walk_us_min=%.1f\n",
	       buf->name, V7_RUN_PAGES, buf->pages, b->v7runs_runs,
	       b->v7runs_walk.med, b->v7runs_walk.min);
	printf("BENCH kind=v7areas name=%s-v7areas chunk_pages=%d areas=%zu pages=%zu runs=%zu walk_us_med=%.1f walk_us_min=%.1f\n",
	       buf->name, V7_RUN_PAGES, buf->pages / V7_RUN_PAGES, buf->pages,
	       b->v7areas_runs, b->v7areas_walk.med, b->v7areas_walk.min);
}

static void print_conc(struct bench *b)
{
	for (int k = 0; k < NC; k++) {
		struct conc_stat *s = &b->conc[k];

		printf("BENCH kind=conc name=%s area_kb=%lu phase_ms=%ld phases=%d samples=%zu"
		       " us_med=%.1f us_p99=%.1f us_p999=%.1f us_max=%.1f us_phase_max_med=%.1f"
		       " phase_max_us=%s ge_1ms=%zu ge_2ms=%zu ge_4ms=%zu ge_8ms=%zu ge_16ms=%zu"
		       " us_max_map=%.1f us_max_unmap=%.1f\n",
		       cond_name[k], CONC_AREA / 1024, b->conc_ms, b->conc_phases, s->n,
		       s->med, s->p99, s->p999, s->max, s->phase_max_med, s->phase_max,
		       s->hist[0], s->hist[1], s->hist[2], s->hist[3], s->hist[4],
		       s->max_map, s->max_unmap);
	}
	printf("BENCH kind=conc_thread walks=%ld busy_calls=%ld ranges_calls=%ld getpa_call_max_us=%.1f pinned=%d\n",
	       b->conc_walks, b->conc_busy_calls, b->conc_ranges_calls,
	       b->conc_getpa_call_max_us, b->conc_pinned);
}

/* met: 1, 0, or -1 when not measured in this run */
static void print_target(const char *id, double value, double limit, int met)
{
	printf("BENCH kind=target id=%s value=%.3f limit=%.3f met=%d\n",
	       id, value, limit, met);
}

static double spread(double x, double y)
{
	return x > y ? x / y : y / x;
}

/*
 * A table's memory per GiB mapped: its page-table pages (SecPageTables)
 * plus, for the noiommu IOAS, the unreclaimable slab it takes beyond the
 * mock IOAS for the same mapping (iommufd's own objects are the same on
 * both, so that excess is the table when the noiommu table lives in slab, as
 * v7's maple tree did; never counted below 0).
 */
static double table_kb_per_gib(const struct memd *m, size_t mapped)
{
	double ex = m[D_NOIOMMU].sunreclaim - m[D_MOCK].sunreclaim;

	return (m[D_NOIOMMU].secpt + (ex > 0 ? ex : 0)) * (double)GIB / mapped;
}

/* bufs: 4k small, 4k large, 2M small, 2M large */
static void print_targets(struct bench *b, struct buf *bufs)
{
	const char *op[2] = { "map", "unmap" };
	char id[96];
	double v, lim;
	int i, o;

	/* 1. MAP and UNMAP per page no slower than the mock domain's */
	lim = 1 + b->tol;
	for (i = 0; i < 4; i++)
		for (o = 0; o < 2; o++) {
			struct stat2 *s = o ? bufs[i].unmap : bufs[i].map;

			v = s[D_NOIOMMU].med / s[D_MOCK].med;
			snprintf(id, sizeof(id), "vs_mock_%s_%.31s", op[o], bufs[i].name);
			print_target(id, v, lim, v <= lim);
		}
	for (o = 0; o < 2; o++) {
		struct stat2 *s = o ? b->frag.unmap : b->frag.map;

		snprintf(id, sizeof(id), "vs_mock_%s_frag", op[o]);
		if (b->frag.done) {
			v = s[D_NOIOMMU].med / s[D_MOCK].med;
			print_target(id, v, lim, v <= lim);
		} else {
			print_target(id, 0, lim, -1);
		}
	}
	/* 2., 3. UNMAP vs MAP */
	for (i = 0; i < 4; i++) {
		lim = bufs[i].huge ? T_UNMAP_MAP_2M : T_UNMAP_MAP_4K;
		v = bufs[i].unmap[D_NOIOMMU].med / bufs[i].map[D_NOIOMMU].med;
		snprintf(id, sizeof(id), "unmap_vs_map_%.31s", bufs[i].name);
		print_target(id, v, lim, v <= lim);
	}
	if (b->frag.done) {
		v = b->frag.unmap[D_NOIOMMU].med / b->frag.map[D_NOIOMMU].med;
		print_target("unmap_vs_map_frag", v, T_UNMAP_MAP_4K, v <= T_UNMAP_MAP_4K);
	} else {
		print_target("unmap_vs_map_frag", 0, T_UNMAP_MAP_4K, -1);
	}
	/* 4. table memory per GiB, worst case */
	if (b->frag.done) {
		v = table_kb_per_gib(b->frag.mem, b->frag.size);
		print_target("table_frag", v, T_TABLE_FRAG_KB, v <= T_TABLE_FRAG_KB);
	} else {
		print_target("table_frag", 0, T_TABLE_FRAG_KB, -1);
	}
	v = table_kb_per_gib(bufs[3].mem, bufs[3].mem_copies * bufs[3].size);
	snprintf(id, sizeof(id), "table_%s", bufs[3].name);
	print_target(id, v, T_TABLE_2M_KB, v <= T_TABLE_2M_KB);
	/* 5. GET_PA */
	v = b->getpa2m_rand.med / b->getpa1_rand.med;
	print_target("getpa_2m_vs_4k", v, T_GETPA_2M_VS_4K, v <= T_GETPA_2M_VS_4K);
	v = bufs[3].pagemap.med / bufs[3].getpa.med;
	snprintf(id, sizeof(id), "getpa_vs_pagemap_%s", bufs[3].name);
	print_target(id, v, T_GETPA_VS_PAGEMAP_2M, v >= T_GETPA_VS_PAGEMAP_2M);
	/*
	 * Per run at v7's run length, in one area as v7's recorded run: a run
	 * of 4 KiB leaves costs more the longer it is, so the buffer as
	 * allocated (its run length differs per boot) is shown, not judged
	 */
	v = b->v7runs_walk.med * 1e3 / b->v7runs_runs / b->floor.med;
	print_target("walk_run_vs_floor_v7runs", v, T_WALK_RUN_VS_FLOOR,
		     v <= T_WALK_RUN_VS_FLOOR);
	/*
	 * 6. GET_PA walks against a concurrent MAP/UNMAP: the worst case of a
	 * phase, typical over the phases (their median), with the walks minus
	 * with the busy control; see README
	 */
	v = b->conc[C_GETPA].phase_max_med - b->conc[C_BUSY].phase_max_med;
	print_target("conc_added_max", v, T_CONC_ADDED_US, v <= T_CONC_ADDED_US);
	/* kept from the earlier list */
	v = b->getpa1.med / b->floor.med;
	print_target("getpa_vs_floor", v, T_GETPA_VS_FLOOR, v <= T_GETPA_VS_FLOOR);
	for (i = 2; i < 4; i++) {
		v = (double)bufs[i].pages / bufs[i].runs;
		snprintf(id, sizeof(id), "steps_%s", bufs[i].name);
		print_target(id, v, T_HUGE_STEPS, v >= T_HUGE_STEPS);
	}
	v = bufs[2].pagemap.med / bufs[2].getpa.med;
	snprintf(id, sizeof(id), "getpa_beats_pagemap_%s", bufs[2].name);
	print_target(id, v, 1.0, v > 1.0);
	/* info: per page small vs large buffer, both IOASes */
	for (i = 0; i < 4; i += 2)
		for (o = 0; o < 2; o++)
			for (int d = 0; d < ND; d++) {
				struct stat2 *s0 = o ? bufs[i].unmap : bufs[i].map;
				struct stat2 *s1 = o ? bufs[i + 1].unmap : bufs[i + 1].map;

				printf("BENCH kind=scaling op=%s pages=%s dom=%s value=%.3f\n",
				       op[o], bufs[i].huge ? "2m" : "4k", dom_name[d],
				       spread(s0[d].med / bufs[i].pages,
					      s1[d].med / bufs[i + 1].pages));
			}
}

static void print_env(struct bench *b)
{
	char thp[128] = "absent";
	FILE *f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(thp, sizeof(thp), f))
			snprintf(thp, sizeof(thp), "unreadable");
		thp[strcspn(thp, " \n")] = 0;
		fclose(f);
	}
	printf("BENCH kind=env reps=%d calls=%ld pagemap_batch=%zu dmas=%d slabinfo=%d thp_first=%s"
	       " frag_mib=%zu frag_reps=%d conc_ms=%ld conc_phases=%d tol=%.3f"
	       " v7_walk_ns_per_run=%.0f v7_floor_ns=%.0f\n",
	       b->reps, b->calls, b->batch, b->dmas,
	       access("/proc/slabinfo", R_OK) == 0, thp, b->frag_mib,
	       b->frag_reps, b->conc_ms, b->conc_phases, b->tol,
	       V7_WALK_NS_PER_RUN, V7_FLOOR_NS);
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-r REPS] [-n CALLS] [-b BATCH] [-d DMAS] [-s MIB] [-l MIB]\n"
		"       [-f FRAG_MIB (0: skip)] [-F FRAG_REPS] [-c CONC_MS] [-C CONC_PHASES] [-t TOL] BDF\n",
		me);
	exit(1);
}

int main(int argc, char **argv)
{
	struct bench b = { .reps = 7, .calls = 25000, .batch = 4096, .dmas = 8,
			   .frag_mib = (size_t)-1, .frag_reps = 3,
			   .conc_ms = 300, .conc_phases = 9, .tol = 0.05 };
	size_t small = 64, large = 1024, i;
	struct meminfo m0, m1;
	struct buf bufs[4];
	uint64_t t[7];
	int o;

	t_start = now_ns();
	while ((o = getopt(argc, argv, "r:n:b:d:s:l:f:F:c:C:t:")) != -1) {
		switch (o) {
		case 'r':
			b.reps = atoi(optarg);
			break;
		case 'n':
			b.calls = atol(optarg);
			break;
		case 'b':
			b.batch = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			b.dmas = atoi(optarg);
			break;
		case 's':
			small = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			large = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			b.frag_mib = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			b.frag_reps = atoi(optarg);
			break;
		case 'c':
			b.conc_ms = atol(optarg);
			break;
		case 'C':
			b.conc_phases = atoi(optarg);
			break;
		case 't':
			b.tol = strtod(optarg, NULL);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (b.frag_mib == (size_t)-1)
		b.frag_mib = large;
	/* every buffer and the fragmented mapping fit the mock aperture */
	if (optind != argc - 1 || b.reps < 1 || b.reps > MAX_REPS ||
	    b.calls < 1 || !b.batch || b.dmas < 1 || small < 2 || large < 2 ||
	    small % 2 || large % 2 || small > 1024 || large > 1024 ||
	    b.frag_mib > large || b.frag_reps < 1 || b.frag_reps > MAX_REPS ||
	    b.conc_ms < 1 || b.conc_phases < 1 || b.conc_phases > MAX_REPS ||
	    b.tol < 0)
		usage(argv[0]);
	b.bdf = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);

	buf_init(&bufs[0], small, 0);
	buf_init(&bufs[1], large, 0);
	buf_init(&bufs[2], small, 1);
	buf_init(&bufs[3], large, 1);
	b.max_size = (small > large ? small : large) * MIB;

	b.pm_ent = calloc(b.batch, sizeof(*b.pm_ent));
	if (!b.pm_ent)
		fail("calloc pagemap batch");
	runs_init(&b.a, b.max_size / PAGE_SZ);
	runs_init(&b.b, b.max_size / PAGE_SZ);
	/*
	 * The guest kernel has THP "always" and no madvise(): keep the
	 * anonymous buffers at 4 KiB pages for the whole process (hugetlb
	 * is not THP and is not affected).
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		fail("prctl PR_SET_THP_DISABLE");
	b.pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (b.pagemap < 0)
		fail("open /proc/self/pagemap");
	open_devices(&b);
	print_env(&b);

	for (i = 0; i < 4; i++) {
		meminfo_read(&m0);
		buf_alloc(&bufs[i]);
		meminfo_read(&m1);
		bufs[i].anonhuge = m1.anonhuge - m0.anonhuge;
		if (bufs[i].anonhuge) {
			errno = EINVAL;
			fail("the 4 KiB buffer got transparent huge pages");
		}
	}
	/* MAP/UNMAP and memory, noiommu against mock, nothing else mapped */
	t[0] = now_ns();
	for (i = 0; i < 4; i++) {
		progress("%s: map/unmap, noiommu and mock", bufs[i].name);
		bench_map_time(&b, &bufs[i]);
		bench_map_mem(&b, &bufs[i]);
	}
	t[1] = now_ns();
	if (b.frag_mib)
		bench_frag(&b, &bufs[1]);
	t[2] = now_ns();

	/* GET_PA against pagemap; the buffers stay mapped in the noiommu IOAS */
	for (i = 0; i < 4; i++) {
		progress("%s: mlock x%d, GET_PA vs pagemap x%d", bufs[i].name,
			 b.reps, b.reps);
		bench_mlock(&b, &bufs[i]);
		bufs[i].iova = IOVA_KEEP(i);
		ioas_map(&b, b.ioas[D_NOIOMMU], bufs[i].va, bufs[i].size,
			 bufs[i].iova);
		bench_walks(&b, &bufs[i]);
	}
	progress("%s at v7's run length: %d-page chunks in reverse order, one area and an area each",
		 bufs[1].name, V7_RUN_PAGES);
	bench_v7runs(&b, &bufs[1]);
	t[3] = now_ns();
	progress("ioctl rates");
	bench_rate(&b, bufs);
	t[4] = now_ns();
	progress("MAP/UNMAP latency against GET_PA walks");
	bench_conc(&b, bufs);
	t[5] = now_ns();
	progress("DMA");
	bench_dma(&b, &bufs[0]);
	t[6] = now_ns();
	progress("done");

	for (i = 0; i < 4; i++) {
		ioas_unmap(&b, b.ioas[D_NOIOMMU], bufs[i].iova, bufs[i].size);
		if (munlock(bufs[i].va, bufs[i].size))
			fail("munlock");
		buf_free(&bufs[i]);
		print_buf(&bufs[i]);
	}
	if (b.frag.done)
		print_frag(&b);
	print_v7runs(&b, &bufs[1]);
	print_conc(&b);
	printf("BENCH kind=time setup_s=%.1f map_mem_s=%.1f frag_s=%.1f walks_s=%.1f rate_s=%.1f conc_s=%.1f dma_s=%.1f total_s=%.1f\n",
	       (t[0] - t_start) / 1e9, (t[1] - t[0]) / 1e9, (t[2] - t[1]) / 1e9,
	       (t[3] - t[2]) / 1e9, (t[4] - t[3]) / 1e9, (t[5] - t[4]) / 1e9,
	       (t[6] - t[5]) / 1e9, (t[6] - t_start) / 1e9);
	print_targets(&b, bufs);

	close(b.devfd);
	close(b.iommufd);
	printf("BENCH kind=result status=%s\n", b.mismatch ? "MISMATCH" : "ok");
	return b.mismatch ? 2 : 0;
}
