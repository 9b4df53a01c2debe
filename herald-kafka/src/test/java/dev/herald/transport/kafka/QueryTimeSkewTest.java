package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.event.EventBuilder;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogQuery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A query from a time seeks by the records' store time ({@code offsetsForTimes}) less the skew
 * allowance: an event stamped ahead of the broker's clock is found within the allowance, and missed
 * without one, as the module README says.
 */
@ExtendWith(KafkaBroker.class)
@Order(5)
class QueryTimeSkewTest {

    @Test
    void aTimeQuerySeeksByStoreTimeLessTheSkewAllowance() {
        String topic = "query-skew-" + UUID.randomUUID();
        Instant ahead = Instant.now().plusSeconds(5);
        CloudEvent early = EventBuilder.create().type("ci.pipeline.created").source("urn:test").subject("s")
                .time(OffsetDateTime.ofInstant(ahead, ZoneOffset.UTC)).data(Map.of("i", 1)).build();
        LogQuery fromItsTime = LogQuery.of(topic).withFilter(LogFilter.ALL.withTime(ahead.minusMillis(500), null));
        try (KafkaTransport exact = KafkaTransport.open(KafkaBroker.options().queryTimeSkew(Duration.ZERO).build());
             KafkaTransport tolerant = KafkaTransport.open(KafkaBroker.options().build())) {
            exact.publish(topic, EncodedEvent.all(List.of(early)));

            assertThat(tolerant.query(fromItsTime).entries()).extracting(LogEntry::event).extracting(CloudEvent::getId)
                    .containsExactly(early.getId());
            assertThat(exact.query(fromItsTime).entries()).as("stored 5 s before its time: before the seek point")
                    .isEmpty();
            assertThat(exact.query(LogQuery.of(topic)).entries()).hasSize(1);
        }
    }
}
