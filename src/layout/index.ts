export * from './types.js';
export { Layouter, layouter, layoutRecord, sizeOf, enumUnderlying, intScalarKey } from './layout.js';
export { flattenFields, type FlatField, type TypedField } from './fields.js';
