export * from './kernel.js';
export * from './kvm.js';
export * from './block.js';
export * from './loop.js';
export * from './pty.js';
export { macroNumbers } from './numbers.js';
export * from './net.js';
export * from './random.js';
