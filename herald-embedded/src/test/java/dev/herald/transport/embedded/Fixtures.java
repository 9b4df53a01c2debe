package dev.herald.transport.embedded;

import dev.herald.event.EventBuilder;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Events and polling helpers for the embedded transport's own tests. */
final class Fixtures {

    private Fixtures() {
    }

    static CloudEvent event(String id) {
        return EventBuilder.create().id(id).type("test.happened").source("/herald/embedded/test")
                .data(Map.of("id", id)).build();
    }

    static CloudEvent keyed(String id, String key) {
        return EventBuilder.create().id(id).type("test.happened").source("/herald/embedded/test")
                .partitionKey(key).data(Map.of("id", id)).build();
    }

    static List<CloudEvent> events(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> event(prefix + "-" + i)).toList();
    }

    static List<String> ids(List<? extends Delivery> deliveries) {
        return deliveries.stream().map(d -> d.event().getId()).toList();
    }

    /** Polls until {@code count} deliveries arrived or {@code within} passed; acks nothing. */
    static List<Delivery> pollUntil(Consumer consumer, int count, Duration within) throws InterruptedException {
        List<Delivery> received = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            received.addAll(consumer.poll(count - received.size(), Duration.ofMillis(200)));
        }
        return received;
    }

    /** Polls and acks until nothing arrives for {@code quiet}; returns the ids in arrival order. */
    static List<String> drain(Consumer consumer, Duration quiet) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        List<Delivery> batch;
        while (!(batch = consumer.poll(500, quiet)).isEmpty()) {
            for (Delivery delivery : batch) {
                ids.add(delivery.event().getId());
                delivery.ack();
            }
        }
        return ids;
    }
}
