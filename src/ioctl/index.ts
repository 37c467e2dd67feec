export * from './ioc.js';
export * from './catalogue.js';
