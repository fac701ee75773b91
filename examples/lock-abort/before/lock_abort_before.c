// SPDX-License-Identifier: GPL-2.0
/*
 * lock_abort_before.c - a revocable session mapped by a legacy .mmap
 *
 * The "before" half of the lock-abort example. The device hands out
 * sessions, like resctrl's pseudo-locked regions: a buffer of contiguous
 * pages that userspace can map until the session is revoked. A mutex
 * guards the session state; a kref keeps a session's pages until the last
 * user is gone (the device while active, each open file, each VMA).
 *
 * .mmap does everything under the mutex: check the state, build the page
 * tables, take the VMA's reference. Nothing can fail after it returns, so
 * doing it all at once is safe here; vm_ops->open and ->close keep the
 * count right when a VMA is split, forked or unmapped. The .mmap_prepare
 * conversions are naive/ (wrong on purpose) and after/; the contract is in
 * ../lock-abort-uapi.h.
 */

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "../lock-abort-uapi.h"

/* Shared plumbing 1 of 3: every variant has it byte for byte (make lint). */
#define KIT_LOCK_SIZE	(KIT_LOCK_PAGES * PAGE_SIZE)

enum kit_lock_state {
	KIT_LOCK_ACTIVE,
	KIT_LOCK_REVOKED,
};

/**
 * struct kit_lock_session - a buffer and the count of its users
 * @ref: one for the device while active, one per open file bound to the
 *	session, one per VMA mapping it
 * @state: ACTIVE until revoked, never back; written under kit_lock_mutex
 * @gen: generation, which picks the buffer's pattern
 * @pages: KIT_LOCK_PAGES physically contiguous pages
 */
struct kit_lock_session {
	struct kref ref;
	enum kit_lock_state state;
	unsigned int gen;
	struct page *pages;
};

/* Guards every session's state and the choice of the active session. */
static DEFINE_MUTEX(kit_lock_mutex);
static struct kit_lock_session *kit_lock_active;
static unsigned int kit_lock_gen;
/* Sessions not yet freed; a leaked reference shows up here. */
static atomic_t kit_lock_live = ATOMIC_INIT(0);

/**
 * kit_lock_new() - allocate a session and fill its buffer
 * @gen: the generation to give it
 *
 * Return: the session holding one reference (the device's), or NULL.
 */
static struct kit_lock_session *kit_lock_new(unsigned int gen)
{
	struct kit_lock_session *s;
	unsigned char *buf;
	unsigned long off;

	s = kzalloc_obj(*s);
	if (!s)
		return NULL;
	s->pages = alloc_pages(GFP_KERNEL, get_order(KIT_LOCK_SIZE));
	if (!s->pages) {
		kfree(s);
		return NULL;
	}
	buf = page_address(s->pages);
	for (off = 0; off < KIT_LOCK_SIZE; off++)
		buf[off] = kit_lock_pattern(gen, off);
	kref_init(&s->ref);
	s->state = KIT_LOCK_ACTIVE;
	s->gen = gen;
	atomic_inc(&kit_lock_live);
	return s;
}

/**
 * kit_lock_free() - free a session once its last reference is gone
 * @ref: the session's kref
 */
static void kit_lock_free(struct kref *ref)
{
	struct kit_lock_session *s = container_of(ref, struct kit_lock_session,
						  ref);

	__free_pages(s->pages, get_order(KIT_LOCK_SIZE));
	kfree(s);
	atomic_dec(&kit_lock_live);
}

/**
 * kit_lock_put() - drop one reference to a session
 * @s: the session; freed if this was the last reference
 */
static void kit_lock_put(struct kit_lock_session *s)
{
	kref_put(&s->ref, kit_lock_free);
}

/* End of shared plumbing 1 of 3. */

/**
 * kit_lock_vm_open() - count a VMA copied from a mapping
 * @vma: the copy made by a split, fork or mremap() move
 */
static void kit_lock_vm_open(struct vm_area_struct *vma)
{
	struct kit_lock_session *s = vma->vm_private_data;

	kref_get(&s->ref);
}

/**
 * kit_lock_vm_close() - drop a VMA's reference to its session
 * @vma: the VMA being removed
 */
static void kit_lock_vm_close(struct vm_area_struct *vma)
{
	kit_lock_put(vma->vm_private_data);
}

static const struct vm_operations_struct kit_lock_vm_ops = {
	.open = kit_lock_vm_open,
	.close = kit_lock_vm_close,
};

/**
 * kit_lock_mmap() - map the file's session if it is still active
 * @file: the open device; private_data is its session, or NULL
 * @vma: the new mapping, already created by the core
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer,
 * -ENODEV for a revoked or missing session, -EINTR if killed while waiting
 * for the lock, or the error of remap_pfn_range().
 */
static int kit_lock_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kit_lock_session *s = file->private_data;
	int ret;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* vm_pgoff is checked first so that the subtraction cannot wrap. */
	if (vma->vm_pgoff >= KIT_LOCK_PAGES ||
	    vma_pages(vma) > KIT_LOCK_PAGES - vma->vm_pgoff)
		return -EINVAL;
	if (!s)
		return -ENODEV;

	/* Killable: a stuck lock holder must not make mmap() unkillable. */
	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	if (s->state != KIT_LOCK_ACTIVE) {
		ret = -ENODEV;
		goto unlock;
	}
	ret = remap_pfn_range(vma, vma->vm_start,
			      page_to_pfn(s->pages) + vma->vm_pgoff,
			      vma->vm_end - vma->vm_start, vma->vm_page_prot);
	if (ret)
		goto unlock;
	/*
	 * Last, because the core does not call ->close when .mmap fails:
	 * a reference taken before a failure would leak. After a successful
	 * .mmap nothing in mmap() fails any more.
	 */
	kref_get(&s->ref);
	vma->vm_private_data = s;
	vma->vm_ops = &kit_lock_vm_ops;
unlock:
	mutex_unlock(&kit_lock_mutex);
	return ret;
}

/* Shared plumbing 2 of 3: every variant has it byte for byte (make lint). */
/**
 * kit_lock_open() - bind a new file to the active session, if any
 * @inode: the device inode
 * @file: the new file
 *
 * The file's reference keeps the session's pages while it is open.
 *
 * Return: 0, or -EINTR if killed while waiting for the lock.
 */
static int kit_lock_open(struct inode *inode, struct file *file)
{
	struct kit_lock_session *s;
	int ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	s = kit_lock_active;
	if (s)
		kref_get(&s->ref);
	mutex_unlock(&kit_lock_mutex);
	file->private_data = s;
	return 0;
}

/**
 * kit_lock_release() - drop the file's reference to its session
 * @inode: the device inode
 * @file: the file being closed
 *
 * Return: 0.
 */
static int kit_lock_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		kit_lock_put(file->private_data);
	return 0;
}

/**
 * kit_lock_revoke() - revoke the active session
 *
 * Return: 0, -ENODEV if no session is active, -EINTR if killed.
 */
static long kit_lock_revoke(void)
{
	struct kit_lock_session *s;
	int ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	s = kit_lock_active;
	if (s) {
		s->state = KIT_LOCK_REVOKED;
		kit_lock_active = NULL;
	}
	mutex_unlock(&kit_lock_mutex);
	if (!s)
		return -ENODEV;
	/* The device's reference; files and VMAs keep their own. */
	kit_lock_put(s);
	return 0;
}

/**
 * kit_lock_start() - start a new session when none is active
 *
 * Return: its generation, -EBUSY if a session is active, -ENOMEM, -EINTR.
 */
static long kit_lock_start(void)
{
	struct kit_lock_session *s;
	long ret;

	ret = mutex_lock_killable(&kit_lock_mutex);
	if (ret)
		return ret;
	if (kit_lock_active) {
		ret = -EBUSY;
		goto unlock;
	}
	s = kit_lock_new(kit_lock_gen + 1);
	if (!s) {
		ret = -ENOMEM;
		goto unlock;
	}
	kit_lock_active = s;
	ret = ++kit_lock_gen;
unlock:
	mutex_unlock(&kit_lock_mutex);
	return ret;
}

/**
 * kit_lock_ioctl() - revoke or start a session, or count the live ones
 * @file: the open device
 * @cmd: KIT_LOCK_REVOKE, KIT_LOCK_START or KIT_LOCK_LIVE
 * @arg: unused
 *
 * Return: see the commands in ../lock-abort-uapi.h; -ENOTTY for others.
 */
static long kit_lock_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case KIT_LOCK_REVOKE:
		return kit_lock_revoke();
	case KIT_LOCK_START:
		return kit_lock_start();
	case KIT_LOCK_LIVE:
		return atomic_read(&kit_lock_live);
	}
	return -ENOTTY;
}

/* End of shared plumbing 2 of 3. */

static const struct file_operations kit_lock_fops = {
	.owner = THIS_MODULE,
	.open = kit_lock_open,
	.release = kit_lock_release,
	.unlocked_ioctl = kit_lock_ioctl,
	.mmap = kit_lock_mmap,
};

/* Shared plumbing 3 of 3: every variant has it byte for byte (make lint). */
static struct miscdevice kit_lock_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_LOCK_NAME,
	.fops = &kit_lock_fops,
};

/**
 * kit_lock_init() - start the first session, then register the device
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_lock_init(void)
{
	int ret;

	kit_lock_active = kit_lock_new(1);
	if (!kit_lock_active)
		return -ENOMEM;
	kit_lock_gen = 1;
	ret = misc_register(&kit_lock_misc);
	if (ret)
		kit_lock_put(kit_lock_active);
	return ret;
}

/**
 * kit_lock_exit() - remove the device and drop its session
 *
 * Files pin the module (fops.owner) and VMAs pin their file, so no file
 * or VMA is left: the device's reference is the last of every session,
 * and nobody else can take the lock any more.
 */
static void __exit kit_lock_exit(void)
{
	misc_deregister(&kit_lock_misc);
	if (kit_lock_active)
		kit_lock_put(kit_lock_active);
}

module_init(kit_lock_init);
module_exit(kit_lock_exit);
/* End of shared plumbing 3 of 3. */

MODULE_DESCRIPTION("mmap_prepare kit: revocable session, legacy .mmap");
MODULE_LICENSE("GPL");
