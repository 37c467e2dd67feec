import { family } from './table.js';

/*
 * /dev/i2c-N (linux/i2c-dev.h), drivers/i2c/i2c-dev.c. compat_i2cdev_ioctl converts I2C_FUNCS (compat_ulong_t),
 * I2C_RDWR (struct i2c_rdwr_ioctl_data32, struct i2c_msg32) and I2C_SMBUS (struct i2c_smbus_ioctl_data32) and hands
 * the value ioctls to i2cdev_ioctl.
 */
const SOURCE = 'drivers/i2c/i2c-dev.c:i2cdev_ioctl';

export const I2C = family('i2c', { header: 'linux/i2c-dev.h' }, [
  ['I2C_RETRIES', 'value', 'unsigned long', SOURCE, { note: 'the retry count, at most INT_MAX' }],
  ['I2C_TIMEOUT', 'value', 'unsigned long', SOURCE, { note: 'the timeout in units of 10 ms' }],
  ['I2C_SLAVE', 'value', 'unsigned long', SOURCE, { note: 'the 7- or 10-bit client address' }],
  ['I2C_TENBIT', 'value', 'unsigned long', SOURCE, { note: 'nonzero: 10-bit addresses' }],
  [
    'I2C_FUNCS',
    'r',
    'unsigned long',
    SOURCE,
    { note: 'the adapter functionality mask; compat_i2cdev_ioctl writes a compat_ulong_t' },
  ],
  ['I2C_SLAVE_FORCE', 'value', 'unsigned long', SOURCE, { note: 'the client address, even if a driver uses it' }],
  [
    'I2C_RDWR',
    'w',
    'struct i2c_rdwr_ioctl_data',
    SOURCE,
    {
      note:
        'msgs points to struct i2c_msg [nmsgs], each buf a user pointer the kernel reads or (I2C_M_RD) fills; ' +
        'compat_i2cdev_ioctl converts struct i2c_rdwr_ioctl_data32 and struct i2c_msg32',
    },
  ],
  ['I2C_PEC', 'value', 'unsigned long', SOURCE, { note: 'nonzero: use SMBus packet error checking' }],
  [
    'I2C_SMBUS',
    'w',
    'struct i2c_smbus_ioctl_data',
    SOURCE,
    {
      note:
        'data points to a union i2c_smbus_data the kernel reads for a write or call and fills for a read or call ' +
        '(i2cdev_ioctl_smbus); ' +
        'compat_i2cdev_ioctl converts struct i2c_smbus_ioctl_data32',
    },
  ],
]);
