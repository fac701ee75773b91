// SPDX-License-Identifier: GPL-2.0
/*
 * Modules, misc devices and open files (kernel/module, drivers/char/misc.c,
 * fs/file_table.c): insmod/rmmod by name, open() of /dev/<misc name> the way
 * misc_open() does it, and file reference counting with the sites of every
 * get_file()/fput(), so a leaked reference says where it was taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <linux/anon_inodes.h>
#include "internal.h"

struct module_entry {
	const char *name;
	initcall_t init;
	exitcall_t exit;
	bool loaded;
};

static struct {
	struct module_entry entries[16];
	unsigned int nr;
	struct module_entry *loading;
} modules;

struct misc_entry {
	struct list_head node;
	struct miscdevice *misc;
	struct module_entry *owner;
	struct inode inode;
	unsigned int open_files;
	bool dynamic_minor;
};

static LIST_HEAD(misc_devices);

struct file_ref_log {
	struct list_head node;
	struct file *file;
	struct misc_entry *dev;
	struct {
		struct site site;
		unsigned int count;
	} gets[8];
	unsigned int nr_gets, puts;
};

static LIST_HEAD(open_files);

static struct module_entry *module_entry(const char *name)
{
	unsigned int i;

	for (i = 0; i < modules.nr; i++)
		if (!strcmp(modules.entries[i].name, name))
			return &modules.entries[i];
	if (modules.nr == ARRAY_SIZE(modules.entries))
		abort();
	modules.entries[modules.nr].name = name;
	return &modules.entries[modules.nr++];
}

void module_register_init(const char *name, initcall_t fn)
{
	module_entry(name)->init = fn;
}

void module_register_exit(const char *name, exitcall_t fn)
{
	module_entry(name)->exit = fn;
}

int module_load(const char *name)
{
	struct module_entry *mod = module_entry(name);
	int err = 0;

	if (mod->loaded)
		return -EEXIST;
	if (!mod->init && !mod->exit)
		return -ENOENT;
	modules.loading = mod;
	if (mod->init)
		err = mod->init();
	modules.loading = NULL;
	mod->loaded = !err;
	harness_return_to_user("init_module");
	return err;
}

int module_unload(const char *name)
{
	struct module_entry *mod = module_entry(name);
	struct misc_entry *dev;

	if (!mod->loaded)
		return -ENOENT;
	list_for_each_entry(dev, &misc_devices, node)
		if (dev->owner == mod && dev->open_files)
			return -EAGAIN;	/* delete_module(): the module is in use */
	if (mod->exit)
		mod->exit();
	mod->loaded = false;
	list_for_each_entry(dev, &misc_devices, node)
		if (dev->owner == mod)
			report("module %s unloaded with misc device %s still registered",
			       name, dev->misc->name);
	harness_return_to_user("delete_module");
	return 0;
}

void modules_check(void)
{
	unsigned int i;

	for (i = 0; i < modules.nr; i++)
		if (modules.entries[i].loaded)
			report("module %s is still loaded",
			       modules.entries[i].name);
}

void modules_reset(void)
{
	struct misc_entry *dev, *tmp;
	unsigned int i;

	for (i = 0; i < modules.nr; i++)
		modules.entries[i].loaded = false;
	list_for_each_entry_safe(dev, tmp, &misc_devices, node) {
		if (dev->dynamic_minor)
			dev->misc->minor = MISC_DYNAMIC_MINOR;
		list_del(&dev->node);
		free(dev);
	}
}

int misc_register(struct miscdevice *misc)
{
	static unsigned int next_minor = 64;
	struct misc_entry *dev;

	if (misc_find(misc->name))
		return -EEXIST;
	if (should_fail("misc_register"))
		return -ENOMEM;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		abort();
	dev->dynamic_minor = misc->minor == MISC_DYNAMIC_MINOR;
	if (dev->dynamic_minor)
		misc->minor = next_minor++;
	dev->misc = misc;
	dev->owner = modules.loading;
	dev->inode.i_rdev = MKDEV(10U, (unsigned int)misc->minor);
	list_add_tail(&dev->node, &misc_devices);
	return 0;
}

static struct misc_entry *misc_entry(const char *name)
{
	struct misc_entry *dev;

	list_for_each_entry(dev, &misc_devices, node)
		if (!strcmp(dev->misc->name, name))
			return dev;
	return NULL;
}

struct miscdevice *misc_find(const char *name)
{
	struct misc_entry *dev = misc_entry(name);

	return dev ? dev->misc : NULL;
}

void misc_deregister(struct miscdevice *misc)
{
	struct misc_entry *dev = misc_entry(misc->name);

	if (WARN_ON(!dev))
		return;
	if (dev->dynamic_minor)
		misc->minor = MISC_DYNAMIC_MINOR;
	list_del(&dev->node);
	free(dev);
}

static void file_free(struct file *file)
{
	struct file_ref_log *log = file->f_refs;

	if (log->dev)
		log->dev->open_files--;
	list_del(&log->node);
	free(log);
	free(file);
}

/* do_sys_open() + misc_open(): private_data is the miscdevice. */
struct file *file_open(struct miscdevice *misc, int flags)
{
	struct misc_entry *dev = misc_entry(misc->name);
	struct file_ref_log *log;
	struct file *file;
	int err = 0;

	file = calloc(1, sizeof(*file));
	log = calloc(1, sizeof(*log));
	if (!file || !log)
		abort();
	log->file = file;
	log->dev = dev;
	list_add_tail(&log->node, &open_files);
	dev->open_files++;

	file->f_op = misc->fops;
	file->f_inode = &dev->inode;
	file->f_flags = flags;
	if ((flags & O_ACCMODE) != O_WRONLY)
		file->f_mode |= FMODE_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		file->f_mode |= FMODE_WRITE;
	file->private_data = misc;
	file->f_count = 1;
	file->f_name = misc->name;
	file->f_refs = log;

	if (file->f_op->open)
		err = file->f_op->open(file->f_inode, file);
	if (err) {
		file_free(file);
		return ERR_PTR(err);
	}
	return file;
}

/*
 * fs/file_table.c alloc_file_pseudo(): a file on no device (shmem, anon
 * inodes), with its own inode, counted and logged like any other. The
 * inode's i_private gets @inode_size zeroed bytes that go with the file,
 * even when a test resets the harness with the file still open.
 */
struct file *file_alloc_pseudo(const char *name,
			       const struct file_operations *fops, int flags,
			       void *private_data, size_t inode_size)
{
	struct file_ref_log *log = calloc(1, sizeof(*log));
	struct pseudo {
		struct file file;
		struct inode inode;
		long long inode_private[];
	} *pseudo = calloc(1, sizeof(*pseudo) + inode_size);
	struct file *file = &pseudo->file;

	if (!pseudo || !log)
		abort();
	log->file = file;
	list_add_tail(&log->node, &open_files);
	file->f_op = fops;
	file->f_inode = &pseudo->inode;
	file->f_flags = flags;
	file->f_mode = FMODE_READ | FMODE_WRITE;
	file->private_data = private_data;
	file->f_count = 1;
	file->f_name = name;
	file->f_refs = log;
	if (inode_size)
		pseudo->inode.i_private = pseudo->inode_private;
	return file;
}

struct file *__get_file_at(struct file *file, struct site site)
{
	struct file_ref_log *log = file->f_refs;
	unsigned int i;

	if (file->f_count <= 0)
		report("get_file() at %s on file %s with no references",
		       site_str(site), file->f_name);
	file->f_count++;
	for (i = 0; i < log->nr_gets; i++)
		if (!memcmp(&log->gets[i].site, &site, sizeof(site)))
			break;
	if (i == ARRAY_SIZE(log->gets)) {
		report("get_file() at %s: more call sites than the log keeps",
		       site_str(site));
		return file;
	}
	log->gets[i].site = site;
	log->gets[i].count++;
	log->nr_gets = max(log->nr_gets, i + 1);
	return file;
}

void __fput_at(struct file *file, struct site site)
{
	if (file->f_count <= 0) {
		report("fput() at %s on file %s with no references",
		       site_str(site), file->f_name);
		return;
	}
	file->f_refs->puts++;
	if (--file->f_count)
		return;
	if (file->f_op->release)
		file->f_op->release(file->f_inode, file);
	file_free(file);
}

void files_check(void)
{
	struct file_ref_log *log;
	unsigned int i;

	list_for_each_entry(log, &open_files, node) {
		char gets[512] = "", *p = gets;

		for (i = 0; i < log->nr_gets; i++)
			p += snprintf(p, sizeof(gets) - (p - gets), "%s%s x%u",
				      i ? ", " : "",
				      site_str(log->gets[i].site),
				      log->gets[i].count);
		report("leak: file %s still has %ld reference(s); get_file() at: %s; fput() x%u",
		       log->file->f_name, log->file->f_count,
		       log->nr_gets ? gets : "none", log->puts);
	}
}

void files_reset(void)
{
	struct file_ref_log *log, *tmp;

	list_for_each_entry_safe(log, tmp, &open_files, node)
		file_free(log->file);
}

/* fs/anon_inodes.c: the model gives each such file an inode of its own. */
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags)
{
	if (should_fail("anon_inode_getfile"))
		return ERR_PTR(-ENOMEM);
	return file_alloc_pseudo(name, fops, flags, priv, 0);
}
