/**
 * Herald's PostgreSQL transport: a durable event log in a schema of the application's database,
 * with the transactional outbox ({@link dev.herald.transport.postgres.PostgresTransport#publish(
 * java.lang.String, java.util.List, java.sql.Connection)}). Open it with
 * {@link dev.herald.transport.postgres.PostgresTransport#open(java.lang.String, PostgresOptions)};
 * everything else is package-private.
 */
package dev.herald.transport.postgres;
