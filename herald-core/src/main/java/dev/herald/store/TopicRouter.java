package dev.herald.store;

import io.cloudevents.CloudEvent;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Maps event types to transport topics. The default sends everything to one topic, {@code events};
 * a routing table by type prefix splits high-volume domains onto their own topics.
 */
@FunctionalInterface
public interface TopicRouter {

    /** The default topic name. */
    String DEFAULT_TOPIC = "events";

    /** The topic an event is published to. */
    String topicFor(CloudEvent event);

    /** Every event to one topic. */
    static TopicRouter single(String topic) {
        Objects.requireNonNull(topic, "topic");
        return event -> topic;
    }

    /**
     * Routes by the longest matching type prefix, e.g. {@code {"ci.": "ci-events"}}; types no prefix
     * matches go to {@code fallback}.
     */
    static TopicRouter byTypePrefix(Map<String, String> prefixToTopic, String fallback) {
        Map<String, String> longestFirst = new LinkedHashMap<>();
        prefixToTopic.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed())
                .forEach(e -> longestFirst.put(e.getKey(), e.getValue()));
        return event -> longestFirst.entrySet().stream()
                .filter(e -> event.getType().startsWith(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(fallback);
    }
}
