package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Competing consumers in two processes share one subscription: nothing is handled by both, and when
 * one process dies holding leases, the other gets them back as soon as the reaper sees that the dead
 * process's membership lock is gone — long before the (five-minute) ack deadline.
 */
class CompetingProcessesTest {

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
    void processesShareWorkAndADeadProcessLeasesComeBack() throws Exception {
        PostgresOptions options = database.options().withReapInterval(Duration.ofMillis(200));
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), options)) {
            transport.createSubscription(SubscriptionSpec.of("work", "jobs"));
            Process child = ChildProcess.start(dir, CompetingProcessChild.class, database.jdbcUrl(), database.schema(),
                    "work", "30");
            ChildProcess.awaitLine(dir, CompetingProcessChild.class, child, "READY");
            List<CloudEvent> events = TestEvents.probes("jobs", 200);
            transport.publish("jobs", EncodedEvent.all(events));
            Map<String, Integer> handledHere = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            try (Consumer consumer = transport.openConsumer("work")) {
                // Slow enough here that the child gets its share while both run.
                while (child.isAlive() && System.nanoTime() < deadline) {
                    handle(consumer, handledHere, 5, Duration.ofMillis(5));
                }
                ChildProcess.Ended ended = ChildProcess.await(dir, CompetingProcessChild.class, child);
                assertThat(ended.stderr()).doesNotContain("Exception");
                long died = System.nanoTime();
                List<String> ackedThere = ChildProcess.lines(ended.stdout(), "ACK");
                List<String> heldThere = ChildProcess.lines(ended.stdout(), "HELD");
                assertThat(ackedThere).hasSize(30);
                assertThat(heldThere).isNotEmpty();

                Set<String> expectedHere = new HashSet<>(TestEvents.ids(events));
                expectedHere.removeAll(ackedThere);
                long heldBackAt = 0;
                while (!handledHere.keySet().containsAll(expectedHere) && System.nanoTime() < deadline) {
                    handle(consumer, handledHere, 50, Duration.ZERO);
                    if (heldBackAt == 0 && handledHere.keySet().containsAll(heldThere)) {
                        heldBackAt = System.nanoTime();
                    }
                }
                System.out.printf("competing processes: child acked %d, held %d when it died; they came back"
                        + " %d ms after its death%n", ackedThere.size(), heldThere.size(), (heldBackAt - died) / 1_000_000);
                assertThat(handledHere.keySet()).containsAll(expectedHere);
                assertThat(handledHere.keySet()).as("handled by both processes").doesNotContainAnyElementsOf(ackedThere);
                assertThat(handledHere.values()).as("handled twice in this process").allMatch(n -> n == 1);
                assertThat(Duration.ofNanos(heldBackAt - died)).as("leases of the dead process released")
                        .isLessThan(Duration.ofSeconds(30));
            }
            assertThat(transport.stats("work").backlog()).isZero();
        }
    }

    private static void handle(Consumer consumer, Map<String, Integer> handled, int max, Duration pause)
            throws InterruptedException {
        for (Delivery delivery : consumer.poll(max, Duration.ofMillis(200))) {
            handled.merge(delivery.event().getId(), 1, Integer::sum);
            Thread.sleep(pause);
            delivery.ack();
        }
    }
}
