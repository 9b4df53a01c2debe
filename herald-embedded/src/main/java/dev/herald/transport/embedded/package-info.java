/**
 * The embedded transport: Herald's default durable event log in one SQLite file.
 *
 * <p>{@link dev.herald.transport.embedded.EmbeddedTransport} is the entry point and
 * {@link dev.herald.transport.embedded.EmbeddedOptions} its tuning; everything else is internal.
 * One writer thread owns the write connection and commits the writes of all threads in shared
 * transactions ({@code SqliteWriter}); the tables and their migrations are in {@code Schema}.
 */
package dev.herald.transport.embedded;
