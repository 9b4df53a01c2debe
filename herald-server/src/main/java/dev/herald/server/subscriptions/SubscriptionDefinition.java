package dev.herald.server.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.event.HeraldAttributes;
import dev.herald.filter.Filter;
import dev.herald.server.http.Json;
import dev.herald.server.wire.ProtocolSettingsBody;
import dev.herald.server.wire.SubscriptionBody;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a subscription asks for, validated: the CloudEvents Subscriptions API fields plus Herald's
 * delivery policy. Immutable; the subscription's state (status, health, secrets) lives beside it.
 *
 * @param id        unique, chosen by the client or generated
 * @param source    only events with exactly this {@code source}, if set
 * @param types     only events of these types ({@code ci.*} = every type starting with {@code ci.}); empty = all
 * @param config    implementation-specific settings; Herald knows {@code topic}
 * @param filters   the filters as given (a JSON array of dialect objects)
 * @param filter    the filters, parsed (all must match)
 * @param sink      the webhook URL (HTTP), null for PULL
 * @param protocol  HTTP or PULL
 * @param http      method, headers and content mode (HTTP)
 * @param delivery  attempts, backoff, ordering, concurrency, delay, start, ack deadline
 * @param ephemeral deleted automatically once no stream has been connected for a while (PULL)
 */
public record SubscriptionDefinition(String id, String source, List<String> types, Map<String, String> config,
                                     ArrayNode filters, Filter filter, URI sink, Protocol protocol,
                                     HttpSettings http, DeliverySpec delivery, boolean ephemeral) {

    public SubscriptionDefinition {
        types = List.copyOf(types);
        config = Map.copyOf(config);
        filters = filters.deepCopy();
    }

    /** The topic read. */
    String topic(String defaultTopic) {
        return config.getOrDefault("topic", defaultTopic);
    }

    /**
     * The filter events must pass: the types, the source, the filters, and — for a subscription made by
     * a project-restricted token — the project, so that it never receives another project's events.
     */
    Filter effectiveFilter(Optional<String> project) {
        List<Filter> all = new ArrayList<>();
        if (!types.isEmpty()) {
            List<Filter> anyType = new ArrayList<>();
            for (String type : types) {
                if (type.equals("*")) {
                    anyType.clear();
                    break;
                }
                anyType.add(type.endsWith("*") ? Filter.prefix("type", type.substring(0, type.length() - 1))
                        : Filter.exact("type", type));
            }
            if (!anyType.isEmpty()) {
                all.add(anyType.size() == 1 ? anyType.getFirst() : Filter.any(anyType.toArray(Filter[]::new)));
            }
        }
        if (source != null) {
            all.add(Filter.exact("source", source));
        }
        if (!filters.isEmpty()) {
            all.add(filter);
        }
        project.ifPresent(p -> all.add(Filter.exact(HeraldAttributes.PROJECT, p)));
        return all.isEmpty() ? Filter.ALL_EVENTS : all.size() == 1 ? all.getFirst()
                : Filter.all(all.toArray(Filter[]::new));
    }

    /** The definition in the request form, as stored (header values in full). */
    ObjectNode toStoredJson() {
        return Json.MAPPER.valueToTree(toBody(true));
    }

    /** The definition in the request form, as shown (credential-like header values redacted). */
    ObjectNode toPublicJson() {
        return Json.MAPPER.valueToTree(toBody(false));
    }

    /** The definition in the request form; {@code stored} keeps every header value. */
    SubscriptionBody toBody(boolean stored) {
        return withSettings(stored ? http.toStoredBody() : http.toPublicBody());
    }

    /** The definition as shown to a token that does not own it: every header value hidden. */
    SubscriptionBody toForeignBody() {
        return withSettings(http.toRedactedBody());
    }

    private SubscriptionBody withSettings(ProtocolSettingsBody settings) {
        return SubscriptionBody.request(id, source, types, config, filters.deepCopy(),
                sink == null ? null : sink.toString(), protocol.name(), protocol == Protocol.HTTP ? settings : null,
                delivery.toBody(protocol), ephemeral ? Boolean.TRUE : null, null);
    }

    /** The filters as a JSON node for comparisons. */
    JsonNode filtersJson() {
        return filters;
    }
}
