/**
 * Event type schemas: the {@link dev.herald.schema.SchemaRegistry} that declares which types exist, the
 * versioned JSON Schema of each, and the {@link dev.herald.schema.CompatibilityChecker} that decides
 * whether a new version may follow the current one.
 */
package dev.herald.schema;
