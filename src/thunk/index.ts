export * from './errors.js';
export * from './compile.js';
export * from './convert.js';
