export * from './ioc.js';
export * from './catalogue.js';
export * from './prerequisites.js';
