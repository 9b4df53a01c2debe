package dev.herald.server;

import dev.herald.schema.SchemaRegistry;
import dev.herald.server.api.Intake;
import dev.herald.server.auth.TokenStore;
import dev.herald.server.config.ServerConfig;
import dev.herald.store.EventStore;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The parts of a running server an {@link ServerExtension} builds its API modules from.
 *
 * @param config  the effective configuration
 * @param store   the event store (publish, subscribe, dead letters)
 * @param schemas the schema registry behind {@code /v1/schemas}
 * @param intake  the deduplicating intake {@code POST /v1/events} stores through
 * @param tokens  the API tokens, for routes that authenticate a caller themselves
 * @param meters  where to report metrics
 */
public record ServerContext(ServerConfig config, EventStore store, SchemaRegistry schemas, Intake intake,
                            TokenStore tokens, MeterRegistry meters) {
}
