package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox both ways across a process death: a child JVM commits one outbox transaction, leaves
 * another open, and halts right after the commit. The committed events are delivered (though the
 * child never sent a notification for them), the open transaction's never are (the server rolls it
 * back when the connection drops).
 */
class OutboxCrashTest {

    @TempDir
    Path dir;

    private TestDatabase database;

    @BeforeEach
    void createSchema() {
        database = TestDatabase.create();
    }

    @AfterEach
    void dropSchema() throws Exception {
        database.close();
    }

    @Test
    void committedEventsSurviveTheProcessAndOpenOnesNeverArrive() throws Exception {
        String topic = "orders";
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(),
                database.options().withFallbackPollInterval(Duration.ofMillis(200)))) {
            transport.createSubscription(SubscriptionSpec.of("audit", topic).withStart(StartPosition.EARLIEST));
            try (Consumer consumer = transport.openConsumer("audit")) {
                long started = System.nanoTime();
                Process child = ChildProcess.start(dir, OutboxCrashChild.class, database.jdbcUrl(), database.schema(),
                        topic, "crash");
                ChildProcess.Ended ended = ChildProcess.await(dir, OutboxCrashChild.class, child);
                assertThat(ended.stderr()).doesNotContain("Exception");
                List<String> committed = ChildProcess.lines(ended.stdout(), "COMMITTED");
                List<String> open = ChildProcess.lines(ended.stdout(), "OPEN");
                assertThat(committed).as("committed before the halt").hasSize(20);
                assertThat(open).as("written, never committed").hasSize(20);

                long childEnded = System.nanoTime();
                Set<String> received = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!received.containsAll(committed) && System.nanoTime() < deadline) {
                    for (Delivery delivery : consumer.poll(100, Duration.ofSeconds(1))) {
                        received.add(delivery.event().getId());
                        delivery.ack();
                    }
                }
                System.out.printf("outbox crash: child ran %d ms, committed events delivered %d ms after it died%n",
                        (childEnded - started) / 1_000_000, (System.nanoTime() - childEnded) / 1_000_000);
                // Whatever may still come: the open transaction's events must not.
                for (Delivery delivery : consumer.poll(100, Duration.ofMillis(500))) {
                    received.add(delivery.event().getId());
                    delivery.ack();
                }
                assertThat(received).as("delivered after the publisher died").containsAll(committed)
                        .doesNotContainAnyElementsOf(open).hasSize(committed.size());
            }
            assertThat(transport.stats("audit").backlog()).isZero();
        }
    }
}
