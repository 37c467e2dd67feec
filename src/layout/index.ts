export * from './types.js';
export { Layouter, layouter, layoutRecord, sizeOf, enumUnderlying } from './layout.js';
export { flattenFields, type FlatField, type TypedField } from './fields.js';
