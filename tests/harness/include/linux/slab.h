/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/slab.h, CUSTOMISED: every allocation records its
 * call site.
 */
/* Shim: kmalloc family; every allocation and free records its call site. */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <harness/site.h>

void *__kmalloc_at(size_t size, gfp_t gfp, struct site site);
void __kfree_at(const void *ptr, struct site site);

#define kmalloc(size, gfp)	__kmalloc_at(size, gfp, SITE_HERE)
#define kzalloc(size, gfp)	__kmalloc_at(size, (gfp) | __GFP_ZERO, SITE_HERE)
#define kmalloc_array(n, size, gfp) \
	__kmalloc_at(size_mul(n, size), gfp, SITE_HERE)
#define kcalloc(n, size, gfp) \
	__kmalloc_at(size_mul(n, size), (gfp) | __GFP_ZERO, SITE_HERE)
#define kfree(ptr)		__kfree_at(ptr, SITE_HERE)
#define kvmalloc(size, gfp)	kmalloc(size, gfp)
#define kvzalloc(size, gfp)	kzalloc(size, gfp)
#define kvfree(ptr)		kfree(ptr)

/* 7.x typed helpers: the gfp argument is optional and defaults to GFP_KERNEL. */
#define __first_arg(first, ...)	first
#define __kmalloc_gfp(...)	__first_arg(__VA_ARGS__ __VA_OPT__(,) GFP_KERNEL)
#define kmalloc_obj(obj, ...) \
	((typeof(obj) *)kmalloc(sizeof(obj), __kmalloc_gfp(__VA_ARGS__)))
#define kzalloc_obj(obj, ...) \
	((typeof(obj) *)kzalloc(sizeof(obj), __kmalloc_gfp(__VA_ARGS__)))
#define kmalloc_objs(obj, count, ...) \
	((typeof(obj) *)kmalloc_array(count, sizeof(obj), __kmalloc_gfp(__VA_ARGS__)))
#define kzalloc_objs(obj, count, ...) \
	((typeof(obj) *)kcalloc(count, sizeof(obj), __kmalloc_gfp(__VA_ARGS__)))

void *__kmemdup_at(const void *src, size_t len, gfp_t gfp, struct site site);
#define kmemdup(src, len, gfp)	__kmemdup_at(src, len, gfp, SITE_HERE)

#endif
