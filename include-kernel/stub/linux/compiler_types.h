/*
 * ioctl32: empty on purpose. UAPI headers of a kernel tree include <linux/compiler_types.h>;
 * scripts/headers_install.sh deletes that line, and __user, __force, __iomem, __packed and
 * __attribute_const__, which the kernel's copy defines, are predefined (src/cfront/kernel-tree.ts).
 */
