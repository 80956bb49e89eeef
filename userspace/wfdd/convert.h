/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Colour conversion: a scanout dma-buf (XRGB8888/ARGB8888) into an I420
 * picture, with libyuv, reading the mapped dma-buf directly.
 */
#ifndef WFDD_CONVERT_H
#define WFDD_CONVERT_H

#include <stdint.h>

#include "encoder.h"

int yuv_alloc(struct yuv_image *img, int width, int height);
void yuv_free(struct yuv_image *img);

/*
 * Convert the @width x @height picture at @map (+@offset, @pitch bytes
 * per row) of dma-buf @dmabuf into @img, scaling when sizes differ.  CPU
 * access is bracketed with DMA_BUF_IOCTL_SYNC.  0 or -errno.
 */
int convert_xrgb_to_i420(int dmabuf, const uint8_t *map, uint32_t offset,
			 uint32_t pitch, int width, int height,
			 struct yuv_image *img);

#endif
