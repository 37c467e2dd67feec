export * from './ioc.js';
