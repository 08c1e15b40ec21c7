// SPDX-License-Identifier: GPL-2.0
/*
 * noiommu_bench: measure IOMMU_IOAS_NOIOMMU_GET_PA and the IOAS of a noiommu
 * device (QEMU's edu, PCI 1234:11e8, bound to vfio-pci) in one boot and on
 * the same buffers:
 *
 *  - the cost of a one page GET_PA next to the iommufd syscall floor
 *    (IOMMU_OPTION get of IOMMU_OPTION_RLIMIT_MODE);
 *  - translating whole buffers into physically contiguous runs with GET_PA,
 *    and the legacy way (mlock + batched pread of /proc/self/pagemap), with
 *    a cross-check that both find the same runs;
 *  - IOMMU_IOAS_MAP / IOMMU_IOAS_UNMAP per page and the kernel memory the
 *    mapping costs (/proc/meminfo deltas over several mappings of it);
 *  - a DMA sanity check through edu's DMA engine (QEMU-bound).
 *
 *   noiommu_bench [-r REPS] [-n CALLS] [-b BATCH] [-d DMAS] [-s MIB] [-l MIB] BDF
 *
 * Output: "BENCH kind=... key=value ..." lines for scripts/bench.sh, progress
 * on stderr. Exit status: 0 when it ran (whether or not the performance
 * targets were met), 1 when it could not run, 2 when GET_PA and pagemap
 * disagree or a DMA came back wrong (a correctness bug).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "edu.h"

#define PAGE_SZ		4096UL
#define HPAGE_SZ	(2UL << 20)
#define MIB		(1UL << 20)
#define MAX_REPS	64
#define MAX_SAMPLES	256
#define MEM_REPS	3
#define MAX_COPIES	64
#define RATE_SAMPLES	4	/* per repetition */

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

/* edu's buffer is 4 KiB; a DMA that ends at its very end kills QEMU 7.2 */
#define EDU_XFER	4032

/* Targets (see README.md, "Benchmark") */
#define T_GETPA_VS_FLOOR	3.0
#define T_HUGE_STEPS		100.0
#define T_MAP_SCALING		1.5

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
	long anonhuge;
};

struct stat2 {
	double med;
	double min;
};

struct buf {
	char name[32];
	size_t size;
	int huge;
	uint8_t *va;
	uint64_t iova;
	size_t pages;
	/* results */
	size_t runs;
	struct stat2 getpa, pagemap, pagewise;	/* us */
	struct stat2 mlock, map, unmap;		/* ms */
	size_t map_samples;
	/* kB, for mem_copies mappings of the buffer */
	size_t mem_copies;
	long d_slab, d_sunreclaim, d_memfree, d_pagetables;
	long d_sunreclaim_now;	/* right after MAP, before RCU frees */
	long anonhuge;		/* THP kB the buffer got, must be 0 */
};

struct bench {
	const char *bdf;
	int devfd;
	int iommufd;
	uint32_t ioas;
	int pagemap;
	volatile uint8_t *bar;
	int reps;
	long calls;
	size_t batch;
	int dmas;
	size_t max_size;	/* of the largest buffer */
	uint64_t *pm_ent;
	struct runs a, b;
	struct stat2 floor, getpa1, getpa1_rand;
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

/* ---- device and IOAS ---- */

static void find_cdev(struct bench *b, char *path, size_t sz)
{
	char dir[256];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", b->bdf);
	dp = opendir(dir);
	if (!dp)
		fail("opendir vfio-dev (device not bound to vfio-pci?)");
	while ((d = readdir(dp))) {
		if (!strncmp(d->d_name, "noiommu-vfio", 12)) {
			snprintf(path, sz, "/dev/vfio/devices/%s", d->d_name);
			closedir(dp);
			return;
		}
	}
	closedir(dp);
	errno = ENOENT;
	fail("no noiommu-vfioN cdev");
}

static void open_device(struct bench *b)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
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
	if (ioctl(b->iommufd, IOMMU_IOAS_ALLOC, &ioas))
		fail("IOMMU_IOAS_ALLOC");
	b->ioas = ioas.out_ioas_id;
	attach.pt_id = b->ioas;
	if (ioctl(b->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT");
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

static uint64_t ioas_map(struct bench *b, void *va, size_t len)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = b->ioas,
		.user_va = (uintptr_t)va,
		.length = len,
	};

	if (ioctl(b->iommufd, IOMMU_IOAS_MAP, &map))
		fail("IOMMU_IOAS_MAP");
	return map.iova;
}

static void ioas_unmap(struct bench *b, uint64_t iova, size_t len)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = b->ioas,
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
		.ioas_id = b->ioas,
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

static void getpa_walk(struct bench *b, struct buf *buf, struct runs *out)
{
	uint64_t off = 0, len, phys;

	out->n = 0;
	while (off < buf->size) {
		len = buf->size - off;
		phys = get_pa(b, buf->iova + off, &len);
		runs_append(out, off, phys, len);
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

static void pagemap_walk(struct bench *b, struct buf *buf, struct runs *out)
{
	uint64_t vpn = (uintptr_t)buf->va / PAGE_SZ, pfn;
	size_t done = 0, n, i;
	ssize_t want;

	out->n = 0;
	while (done < buf->pages) {
		n = buf->pages - done;
		if (n > b->batch)
			n = b->batch;
		want = n * sizeof(uint64_t);
		if (pread(b->pagemap, b->pm_ent, want,
			  (vpn + done) * sizeof(uint64_t)) != want)
			fail("pread /proc/self/pagemap");
		for (i = 0; i < n; i++) {
			pfn = b->pm_ent[i] & PM_PFN_MASK;
			if (!(b->pm_ent[i] & PM_PRESENT) || !pfn) {
				errno = EPERM;
				fail("pagemap: page not present or PFN hidden");
			}
			runs_extend(out, (done + i) * PAGE_SZ, pfn * PAGE_SZ,
				    PAGE_SZ);
		}
		done += n;
	}
}

/* GET_PA's runs (a) and pagemap's (b) must be identical */
static void check_runs(struct bench *b, struct buf *buf, const char *how)
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
		       " pagemap_len=0x%" PRIx64 "\n", buf->name, how, i,
		       x->off, x->phys, x->len, y->off, y->phys, y->len);
		shown++;
	}
	if (b->a.n != b->b.n || shown) {
		printf("BENCH kind=mismatch buf=%s how=%s runs_getpa=%zu runs_pagemap=%zu\n",
		       buf->name, how, b->a.n, b->b.n);
		fprintf(stderr, "noiommu_bench: MISMATCH on %s (%s): GET_PA and pagemap disagree\n",
			buf->name, how);
		b->mismatch = 1;
	}
}

/* ---- measurements ---- */

static void meminfo_read(struct meminfo *m)
{
	char line[256], key[64];
	long val;
	FILE *f;

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
		else if (!strcmp(key, "AnonHugePages"))
			m->anonhuge = val;
	}
	fclose(f);
}

/*
 * MAP + UNMAP of the whole buffer. Smaller buffers get proportionally more
 * samples, so that every buffer is timed for about the same total time and a
 * short operation is not at the mercy of a few host preemptions.
 */
static void bench_map_time(struct bench *b, struct buf *buf)
{
	uint64_t tm[MAX_SAMPLES], tu[MAX_SAMPLES], t, iova;
	size_t n = b->reps * (b->max_size / buf->size);
	size_t i;

	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	for (i = 0; i < n; i++) {
		t = now_ns();
		iova = ioas_map(b, buf->va, buf->size);
		tm[i] = now_ns() - t;
		t = now_ns();
		ioas_unmap(b, iova, buf->size);
		tu[i] = now_ns() - t;
	}
	buf->map_samples = n;
	buf->map = summarize(tm, n, 1e6);
	buf->unmap = summarize(tu, n, 1e6);
}

/* Map buf n times at n IOVAs (the same pages, pinned n times) */
static void map_copies(struct bench *b, struct buf *buf, uint64_t *iova,
		       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		iova[i] = ioas_map(b, buf->va, buf->size);
}

static void unmap_copies(struct bench *b, struct buf *buf, uint64_t *iova,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ioas_unmap(b, iova[i], buf->size);
}

/*
 * The meminfo delta of mem_copies mappings of buf, median of MEM_REPS. Slab
 * grows by whole slab pages and partly used slabs left by earlier frees absorb
 * some of the growth: mapping the buffer several times (4 GiB in total for the
 * largest one) amortizes that noise.
 */
static void bench_map_mem(struct bench *b, struct buf *buf)
{
	long ds[MEM_REPS], du[MEM_REPS], df[MEM_REPS], dp[MEM_REPS];
	long dn[MEM_REPS];
	uint64_t iova[MAX_COPIES];
	struct meminfo m0, mn, m1;
	size_t n = 4 * (b->max_size / buf->size);
	int r;

	if (n > MAX_COPIES)
		n = MAX_COPIES;
	for (r = 0; r < MEM_REPS; r++) {
		sleep_ms(200);	/* let RCU free the previous table's nodes */
		meminfo_read(&m0);
		map_copies(b, buf, iova, n);
		meminfo_read(&mn);
		/* nodes replaced while the table grew are freed after RCU */
		sleep_ms(200);
		meminfo_read(&m1);
		unmap_copies(b, buf, iova, n);
		ds[r] = m1.slab - m0.slab;
		du[r] = m1.sunreclaim - m0.sunreclaim;
		df[r] = m0.memfree - m1.memfree;
		dp[r] = m1.pagetables - m0.pagetables;
		dn[r] = mn.sunreclaim - m0.sunreclaim;
	}
	buf->mem_copies = n;
	buf->d_slab = median_long(ds, MEM_REPS);
	buf->d_sunreclaim = median_long(du, MEM_REPS);
	buf->d_memfree = median_long(df, MEM_REPS);
	buf->d_pagetables = median_long(dp, MEM_REPS);
	buf->d_sunreclaim_now = median_long(dn, MEM_REPS);
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

/* GET_PA walk vs pagemap walk, interleaved, cross-checked every time */
static void bench_walks(struct bench *b, struct buf *buf)
{
	uint64_t tg[MAX_REPS], tp[MAX_REPS], tw[MAX_REPS], t;
	int r;

	for (r = 0; r < b->reps; r++) {
		t = now_ns();
		getpa_walk(b, buf, &b->a);
		tg[r] = now_ns() - t;
		t = now_ns();
		pagemap_walk(b, buf, &b->b);
		tp[r] = now_ns() - t;
		check_runs(b, buf, "walk");
	}
	buf->runs = b->a.n;
	buf->getpa = summarize(tg, b->reps, 1e3);
	buf->pagemap = summarize(tp, b->reps, 1e3);

	for (r = 0; r < b->reps; r++) {
		t = now_ns();
		getpa_pagewise(b, buf, &b->a);
		tw[r] = now_ns() - t;
		check_runs(b, buf, "pagewise");
	}
	buf->pagewise = summarize(tw, b->reps, 1e3);
}

/* ns for b->calls GET_PA of one page in a row; rnd picks random pages */
static uint64_t time_getpa(struct bench *b, struct buf *buf, int rnd)
{
	struct iommu_ioas_noiommu_get_pa gp = {
		.size = sizeof(gp), .ioas_id = b->ioas,
	};
	uint64_t t = now_ns(), page = 0;
	long i;

	for (i = 0; i < b->calls; i++) {
		if (rnd)
			page = page * 6364136223846793005ULL +
			       1442695040888963407ULL;
		gp.iova = buf->iova + (page >> 20) % buf->pages * PAGE_SZ;
		gp.length = PAGE_SZ;
		if (ioctl(b->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &gp))
			fail("IOMMU_IOAS_NOIOMMU_GET_PA (rate)");
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
		.size = sizeof(gp), .ioas_id = b->ioas, .flags = flags,
		.iova = iova, .length = PAGE_SZ,
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
 * ns for b->calls IOMMU_OPTION get: of RLIMIT_MODE (global, the syscall
 * floor) or, with ioas, of the IOAS's HUGE_PAGES (plus the IOAS lookup)
 */
static uint64_t time_floor(struct bench *b, int ioas)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = ioas ? IOMMU_OPTION_HUGE_PAGES :
				    IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = ioas ? b->ioas : 0,
	};
	uint64_t t = now_ns();
	long i;

	for (i = 0; i < b->calls; i++)
		if (ioctl(b->iommufd, IOMMU_OPTION, &opt))
			fail("IOMMU_OPTION get (rate)");
	return now_ns() - t;
}

static void print_rate(const char *name, const char *buf, long calls,
		       size_t samples, struct stat2 st)
{
	printf("BENCH kind=rate name=%s buf=%s calls=%ld samples=%zu ns_med=%.0f ns_min=%.0f calls_per_s=%.0f\n",
	       name, buf, calls, samples, st.med, st.min, 1e9 / st.med);
}

/*
 * The syscall floor, the same plus an IOAS lookup, one page GET_PA and two
 * failing GET_PA, in many short samples interleaved one by one so that noise
 * on the host hits them alike. Only buf is mapped: the IOVA right after it is
 * not.
 */
static void bench_rate(struct bench *b, struct buf *buf)
{
	uint64_t tf[MAX_SAMPLES], ti[MAX_SAMPLES], tg[MAX_SAMPLES];
	uint64_t te[MAX_SAMPLES], tu[MAX_SAMPLES];
	size_t r, n = b->reps * RATE_SAMPLES;

	for (r = 0; r < n; r++) {
		tf[r] = time_floor(b, 0);
		ti[r] = time_floor(b, 1);
		tg[r] = time_getpa(b, buf, 0);
		te[r] = time_getpa_err(b, 1, buf->iova, EOPNOTSUPP);
		tu[r] = time_getpa_err(b, 0, buf->iova + buf->size, ENOENT);
	}
	b->floor = summarize(tf, n, b->calls);
	b->getpa1 = summarize(tg, n, b->calls);
	print_rate("floor", "none", b->calls, n, b->floor);
	print_rate("ioas_option", "none", b->calls, n,
		   summarize(ti, n, b->calls));
	print_rate("getpa_1page", buf->name, b->calls, n, b->getpa1);
	print_rate("getpa_err_flags", buf->name, b->calls, n,
		   summarize(te, n, b->calls));
	print_rate("getpa_err_unmapped", buf->name, b->calls, n,
		   summarize(tu, n, b->calls));
}

static void bench_rate_rand(struct bench *b, struct buf *buf)
{
	uint64_t tg[MAX_SAMPLES];
	size_t r, n = b->reps * RATE_SAMPLES;

	for (r = 0; r < n; r++)
		tg[r] = time_getpa(b, buf, 1);
	b->getpa1_rand = summarize(tg, n, b->calls);
	print_rate("getpa_1page_random", buf->name, b->calls, n,
		   b->getpa1_rand);
}

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

static void print_buf(struct buf *buf)
{
	printf("BENCH kind=buf name=%s page_kb=%lu size_mib=%zu pages=%zu runs=%zu"
	       " getpa_us_med=%.1f getpa_us_min=%.1f pagemap_us_med=%.1f pagemap_us_min=%.1f"
	       " pagewise_us_med=%.1f pagewise_us_min=%.1f mlock_ms_med=%.3f mlock_ms_min=%.3f"
	       " map_ms_med=%.3f map_ms_min=%.3f unmap_ms_med=%.3f unmap_ms_min=%.3f"
	       " map_samples=%zu map_ns_page=%.1f unmap_ns_page=%.1f"
	       " mem_copies=%zu d_slab_kb=%ld d_sunreclaim_kb=%ld d_memfree_kb=%ld d_pagetables_kb=%ld"
	       " d_sunreclaim_now_kb=%ld thp_kb=%ld\n",
	       buf->name, (buf->huge ? HPAGE_SZ : PAGE_SZ) / 1024,
	       buf->size / MIB, buf->pages, buf->runs,
	       buf->getpa.med, buf->getpa.min, buf->pagemap.med, buf->pagemap.min,
	       buf->pagewise.med, buf->pagewise.min, buf->mlock.med, buf->mlock.min,
	       buf->map.med, buf->map.min, buf->unmap.med, buf->unmap.min,
	       buf->map_samples,
	       buf->map.med * 1e6 / buf->pages, buf->unmap.med * 1e6 / buf->pages,
	       buf->mem_copies, buf->d_slab, buf->d_sunreclaim, buf->d_memfree,
	       buf->d_pagetables, buf->d_sunreclaim_now, buf->anonhuge);
	fflush(stdout);
}

typedef void (*hook_fn)(struct bench *b, struct buf *buf);

/* Everything on one buffer; hook runs while it is mapped */
static void bench_buffer(struct bench *b, struct buf *buf, hook_fn hook,
			 hook_fn hook2)
{
	struct meminfo m0, m1;

	fprintf(stderr, "noiommu_bench: %s: touch\n", buf->name);
	meminfo_read(&m0);
	buf_alloc(buf);
	meminfo_read(&m1);
	buf->anonhuge = m1.anonhuge - m0.anonhuge;
	if (buf->anonhuge) {
		errno = EINVAL;
		fail("the 4 KiB buffer got transparent huge pages");
	}
	fprintf(stderr, "noiommu_bench: %s: map/unmap\n", buf->name);
	bench_map_time(b, buf);
	bench_map_mem(b, buf);
	fprintf(stderr, "noiommu_bench: %s: mlock x%d\n", buf->name, b->reps);
	bench_mlock(b, buf);
	buf->iova = ioas_map(b, buf->va, buf->size);
	fprintf(stderr, "noiommu_bench: %s: GET_PA vs pagemap x%d\n", buf->name, b->reps);
	bench_walks(b, buf);
	if (hook)
		hook(b, buf);
	if (hook2)
		hook2(b, buf);
	ioas_unmap(b, buf->iova, buf->size);
	if (munlock(buf->va, buf->size))
		fail("munlock");
	buf_free(buf);
	print_buf(buf);
}

static void print_target(const char *id, double value, double limit, int met)
{
	printf("BENCH kind=target id=%s value=%.2f limit=%.2f met=%d\n",
	       id, value, limit, met);
}

static double spread(double x, double y)
{
	return x > y ? x / y : y / x;
}

/* bufs: 4k small, 4k large, 2M small, 2M large */
static void print_targets(struct bench *b, struct buf *bufs)
{
	double v;
	int i;

	v = b->getpa1.med / b->floor.med;
	print_target("getpa_vs_floor", v, T_GETPA_VS_FLOOR, v <= T_GETPA_VS_FLOOR);
	for (i = 2; i < 4; i++) {
		char id[64];

		v = (double)bufs[i].pages / bufs[i].runs;
		snprintf(id, sizeof(id), "steps_%s", bufs[i].name);
		print_target(id, v, T_HUGE_STEPS, v >= T_HUGE_STEPS);
		v = bufs[i].pagemap.med / bufs[i].getpa.med;
		snprintf(id, sizeof(id), "getpa_beats_pagemap_%s", bufs[i].name);
		print_target(id, v, 1.0, v > 1.0);
	}
	for (i = 0; i < 4; i += 2) {
		char id[64];

		v = spread(bufs[i].map.med / bufs[i].pages,
			   bufs[i + 1].map.med / bufs[i + 1].pages);
		snprintf(id, sizeof(id), "map_scaling_%s", bufs[i].huge ? "2m" : "4k");
		print_target(id, v, T_MAP_SCALING, v <= T_MAP_SCALING);
		v = spread(bufs[i].unmap.med / bufs[i].pages,
			   bufs[i + 1].unmap.med / bufs[i + 1].pages);
		snprintf(id, sizeof(id), "unmap_scaling_%s", bufs[i].huge ? "2m" : "4k");
		print_target(id, v, T_MAP_SCALING, v <= T_MAP_SCALING);
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
	printf("BENCH kind=env reps=%d calls=%ld pagemap_batch=%zu dmas=%d slabinfo=%d thp_first=%s\n",
	       b->reps, b->calls, b->batch, b->dmas,
	       access("/proc/slabinfo", R_OK) == 0, thp);
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-r REPS] [-n CALLS] [-b BATCH] [-d DMAS] [-s MIB] [-l MIB] BDF\n",
		me);
	exit(1);
}

int main(int argc, char **argv)
{
	struct bench b = { .reps = 7, .calls = 25000, .batch = 4096, .dmas = 8 };
	size_t small = 64, large = 1024;
	struct buf bufs[4];
	int o;

	while ((o = getopt(argc, argv, "r:n:b:d:s:l:")) != -1) {
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
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc - 1 || b.reps < 1 || b.reps > MAX_REPS ||
	    b.calls < 1 || !b.batch || b.dmas < 1 || small < 2 || large < 2 ||
	    small % 2 || large % 2)
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
	runs_init(&b.a, (small > large ? small : large) * MIB / PAGE_SZ);
	runs_init(&b.b, (small > large ? small : large) * MIB / PAGE_SZ);
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
	open_device(&b);
	print_env(&b);

	bench_buffer(&b, &bufs[0], bench_rate, bench_dma);
	bench_buffer(&b, &bufs[1], bench_rate_rand, NULL);
	bench_buffer(&b, &bufs[2], NULL, NULL);
	bench_buffer(&b, &bufs[3], NULL, NULL);
	print_targets(&b, bufs);

	close(b.devfd);
	close(b.iommufd);
	printf("BENCH kind=result status=%s\n", b.mismatch ? "MISMATCH" : "ok");
	return b.mismatch ? 2 : 0;
}
