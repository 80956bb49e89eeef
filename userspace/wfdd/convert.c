// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour conversion and scaling with libyuv.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>
#include <libyuv.h>

#include "convert.h"

int yuv_alloc(struct yuv_image *img, int width, int height)
{
	int cw = (width + 1) / 2, ch = (height + 1) / 2;
	uint8_t *buf = malloc((size_t)width * height + 2 * (size_t)cw * ch);

	if (!buf)
		return -ENOMEM;
	img->width = width;
	img->height = height;
	img->plane[0] = buf;
	img->plane[1] = buf + (size_t)width * height;
	img->plane[2] = img->plane[1] + (size_t)cw * ch;
	img->stride[0] = width;
	img->stride[1] = img->stride[2] = cw;
	return 0;
}

void yuv_free(struct yuv_image *img)
{
	free(img->plane[0]);
	img->plane[0] = NULL;
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags | DMA_BUF_SYNC_READ };
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

int convert_xrgb_to_i420(int dmabuf, const uint8_t *map, uint32_t offset,
			 uint32_t pitch, int width, int height,
			 struct yuv_image *img)
{
	const uint8_t *src = map + offset;
	int ret = dmabuf_sync(dmabuf, DMA_BUF_SYNC_START);

	if (ret)
		return ret;
	/* libyuv's "ARGB" is B, G, R, A in memory: DRM's XRGB8888. */
	if (width == img->width && height == img->height) {
		ret = ARGBToI420(src, (int)pitch, img->plane[0], img->stride[0],
				 img->plane[1], img->stride[1], img->plane[2],
				 img->stride[2], width, height);
	} else {
		struct yuv_image tmp;

		ret = yuv_alloc(&tmp, width, height);
		if (!ret) {
			ret = ARGBToI420(src, (int)pitch, tmp.plane[0], tmp.stride[0],
					 tmp.plane[1], tmp.stride[1], tmp.plane[2],
					 tmp.stride[2], width, height) ?:
			      I420Scale(tmp.plane[0], tmp.stride[0], tmp.plane[1],
					tmp.stride[1], tmp.plane[2], tmp.stride[2],
					width, height, img->plane[0], img->stride[0],
					img->plane[1], img->stride[1], img->plane[2],
					img->stride[2], img->width, img->height,
					kFilterBilinear);
			yuv_free(&tmp);
		}
		if (ret > 0)
			ret = -EINVAL;
	}
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END);
	return ret ? -EINVAL : 0;
}
