// SPDX-License-Identifier: GPL-2.0
/// mmap_prepare_compat.cocci - what mmap-prepare-compat.sh runs on a copy of
/// a driver written against Linux 7.3's .mmap_prepare API.
///
/// -D detect: print "uses NAME" for each member of the API the driver uses
/// that some older kernel lacks (the script compares them with the kernel).
/// -D shim: the one rewrite shim mode needs. A designated initialiser
/// cannot be renamed by the preprocessor, so .mmap_prepare = hook in a
/// file_operations becomes .mmap = a wrapper that calls kit_compat_mmap()
/// (mmap_prepare_compat.h) with the hook. vm_operations_struct.mapped needs
/// no rewrite: the header gives the driver's tables a layout that has it.

virtual detect
virtual shim

@s_fops depends on shim@
identifier fops, hook;
fresh identifier wrap = "kit_compat_mmap_" ## hook;
@@
+static int wrap(struct file *file, struct vm_area_struct *vma)
+{
+	return kit_compat_mmap(file, vma, hook);
+}
 struct file_operations fops = {
 	...,
-	.mmap_prepare = hook,
+	.mmap = wrap,
 	...
 };

@d_prep depends on detect@
identifier fops, hook;
@@
struct file_operations fops = { ..., .mmap_prepare = hook, ... };

@script:python depends on d_prep@
@@
print("uses mmap_prepare")

@d_mapped depends on detect@
identifier ops, fn;
@@
struct vm_operations_struct ops = { ..., .mapped = fn, ... };

@script:python depends on d_mapped@
@@
print("uses mapped")

@d_vmfile depends on detect@
struct vm_area_desc *d;
struct vm_area_desc x;
@@
(
d->vm_file
|
x.vm_file
)

@script:python depends on d_vmfile@
@@
print("uses vm_file")

@d_vmfile_init depends on detect@
identifier i;
expression e;
@@
struct vm_area_desc i = { ..., .vm_file = e, ... };

@script:python depends on d_vmfile_init@
@@
print("uses vm_file")

@d_override depends on detect@
struct vm_area_desc *d;
@@
d->action.error_override

@script:python depends on d_override@
@@
print("uses error_override")

@d_action depends on detect@
struct vm_area_desc *d;
@@
(
d->action
|
mmap_action_remap(d, ...)
|
mmap_action_remap_full(d, ...)
|
mmap_action_ioremap(d, ...)
|
mmap_action_ioremap_full(d, ...)
)

@script:python depends on d_action@
@@
print("uses action")

@d_kpages depends on detect@
struct vm_area_desc *d;
@@
(
mmap_action_map_kernel_pages(d, ...)
|
mmap_action_map_kernel_pages_full(d, ...)
|
mmap_action_simple_ioremap(d, ...)
)

@script:python depends on d_kpages@
@@
print("uses map_kernel_pages")
