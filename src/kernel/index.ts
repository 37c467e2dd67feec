export * from './kernel.js';
export * from './kvm.js';
export { macroNumbers } from './numbers.js';
