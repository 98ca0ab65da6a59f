// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_leak: leaks xalloc memory on purpose, for the kmemleak case of
 * scripts/finders.sh. Commands written to /sys/kernel/debug/xalloc_leak/ctl:
 *
 *   leak  allocate, and keep no pointer kmemleak can see to:
 *           cache    an object of the cache xalloc_leak (72 bytes)
 *           kmalloc  an xalloc_kmalloc(200) object, holding the only
 *                    pointer to the next one
 *           child    an xalloc_kmalloc(32) object
 *           large    an xalloc_kmalloc(10000) block, larger than the
 *                    largest kmalloc class (8 KiB)
 *         and, referenced from this module's data:
 *           holder   an xalloc_kmalloc(64) object, holding the only
 *                    pointer to the next one
 *           inner    an object of the cache xalloc_leak
 *  free   free them all.
 *
 * Reading ctl prints "<name> 0x<address>" for each of them while they are
 * allocated. The addresses of the leaked ones are kept XOR-encoded: to
 * kmemleak's scan they are not pointers.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <xalloc/xalloc.h>

/* Turns an address into a value that is no kernel address. */
#define LEAK_KEY	0x5a5a5a5a5a5a5a5aUL

enum { LEAK_CACHE, LEAK_KMALLOC, LEAK_CHILD, LEAK_LARGE, NR_LEAKS };

static const char *const leak_names[NR_LEAKS] = {
	"cache", "kmalloc", "child", "large",
};

static DEFINE_MUTEX(leak_mutex);
static unsigned long leak_encoded[NR_LEAKS];	/* leak_mutex */
static void **leak_holder;			/* leak_mutex */
static bool leak_leaked;			/* leak_mutex */
static struct xalloc_cache *leak_cache;
static struct dentry *leak_dir;

static void *leak_decode(int i)
{
	return (void *)(leak_encoded[i] ^ LEAK_KEY);
}

/* Zeroed memory: no stale pointer in it references another object. */
static noinline int leak_alloc_all(void)
{
	void *p[NR_LEAKS];
	void **inner;

	lockdep_assert_held(&leak_mutex);
	p[LEAK_CACHE] = xalloc_cache_alloc(leak_cache, GFP_KERNEL | __GFP_ZERO);
	p[LEAK_KMALLOC] = xalloc_kmalloc(200, GFP_KERNEL | __GFP_ZERO);
	p[LEAK_CHILD] = xalloc_kmalloc(32, GFP_KERNEL | __GFP_ZERO);
	p[LEAK_LARGE] = xalloc_kmalloc(10000, GFP_KERNEL | __GFP_ZERO);
	leak_holder = xalloc_kmalloc(64, GFP_KERNEL | __GFP_ZERO);
	inner = xalloc_cache_alloc(leak_cache, GFP_KERNEL | __GFP_ZERO);
	if (!p[LEAK_CACHE] || !p[LEAK_KMALLOC] || !p[LEAK_CHILD] ||
	    !p[LEAK_LARGE] || !leak_holder || !inner) {
		xalloc_cache_free(leak_cache, p[LEAK_CACHE]);
		xalloc_kfree(p[LEAK_KMALLOC]);
		xalloc_kfree(p[LEAK_CHILD]);
		xalloc_kfree(p[LEAK_LARGE]);
		xalloc_kfree(leak_holder);
		xalloc_cache_free(leak_cache, inner);
		leak_holder = NULL;
		return -ENOMEM;
	}
	memset(p[LEAK_CACHE], 0x11, 72);
	memset(p[LEAK_LARGE], 0x22, 10000);
	*(void **)p[LEAK_KMALLOC] = p[LEAK_CHILD];
	leak_holder[0] = inner;
	for (int i = 0; i < NR_LEAKS; i++)
		leak_encoded[i] = (unsigned long)p[i] ^ LEAK_KEY;
	memzero_explicit(p, sizeof(p));
	leak_leaked = true;
	return 0;
}

static void leak_free_all(void)
{
	lockdep_assert_held(&leak_mutex);
	if (!leak_leaked)
		return;
	xalloc_cache_free(leak_cache, leak_decode(LEAK_CACHE));
	xalloc_kfree(leak_decode(LEAK_CHILD));
	xalloc_kfree(leak_decode(LEAK_KMALLOC));
	xalloc_kfree(leak_decode(LEAK_LARGE));
	xalloc_cache_free(leak_cache, leak_holder[0]);
	xalloc_kfree(leak_holder);
	leak_holder = NULL;
	memset(leak_encoded, 0, sizeof(leak_encoded));
	leak_leaked = false;
}

static int leak_ctl_show(struct seq_file *m, void *v)
{
	mutex_lock(&leak_mutex);
	if (leak_leaked) {
		for (int i = 0; i < NR_LEAKS; i++)
			seq_printf(m, "%s 0x%lx\n", leak_names[i],
				   (unsigned long)leak_decode(i));
		seq_printf(m, "holder 0x%lx\n", (unsigned long)leak_holder);
		seq_printf(m, "inner 0x%lx\n", (unsigned long)leak_holder[0]);
	}
	mutex_unlock(&leak_mutex);
	return 0;
}

static int leak_ctl_open(struct inode *inode, struct file *file)
{
	return single_open(file, leak_ctl_show, NULL);
}

static ssize_t leak_ctl_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char cmd[8];
	int ret = 0;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	mutex_lock(&leak_mutex);
	if (sysfs_streq(cmd, "leak"))
		ret = leak_leaked ? -EBUSY : leak_alloc_all();
	else if (sysfs_streq(cmd, "free"))
		leak_free_all();
	else
		ret = -EINVAL;
	mutex_unlock(&leak_mutex);
	return ret ? ret : len;
}

static const struct file_operations leak_ctl_fops = {
	.owner = THIS_MODULE,
	.open = leak_ctl_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = leak_ctl_write,
};

static int __init leak_init(void)
{
	leak_cache = xalloc_cache_create("xalloc_leak", 72, 0, 0, NULL);
	if (!leak_cache)
		return -ENOMEM;
	leak_dir = debugfs_create_dir("xalloc_leak", NULL);
	debugfs_create_file("ctl", 0600, leak_dir, NULL, &leak_ctl_fops);
	return 0;
}

static void __exit leak_exit(void)
{
	debugfs_remove_recursive(leak_dir);
	mutex_lock(&leak_mutex);
	leak_free_all();
	mutex_unlock(&leak_mutex);
	xalloc_cache_destroy(leak_cache);
}

module_init(leak_init);
module_exit(leak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Leaks xalloc memory on purpose, for the kmemleak test");
