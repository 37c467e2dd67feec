/** ioctl32: the Linux compat-ioctl system as a library. */
export * from './errors.js';
export * from './abi/index.js';
export * from './cfront/types.js';
export * from './cfront/print.js';
export * from './layout/index.js';
export * from './ioctl/index.js';
export * from './report/abis.js';
export * from './report/decode.js';
