/** The Node-only registry's builders under the names older importers use; see datasets/registry.ts. */
export { createDataSource, dataRangeOf, describeDataSources, resolveDataSourceOptions } from './registry.js';
