package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.TransportException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent publishes commit together (fewer transactions than calls), every call's events are
 * stored once it returned, and a call whose data the database refuses fails alone.
 */
class PublishGroupCommitTest {

    private static final int THREADS = 16;
    private static final int CALLS_PER_THREAD = 10;

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
    void concurrentCallsShareCommitsAndAFaultyCallFailsAlone() throws Exception {
        Set<String> returned = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new ArrayList<>();
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            transport.publish("group", EncodedEvent.all(TestEvents.probes("group-warm", 1))); // creates the topic
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < CALLS_PER_THREAD; i++) {
                            List<CloudEvent> call = TestEvents.probes("group-" + thread, i * 2, 2);
                            transport.publish(thread == 0 && i == 5 ? "group" : "group-" + thread % 2, EncodedEvent.all(call));
                            call.forEach(event -> returned.add(event.getId()));
                        }
                        return null;
                    }));
                }
                // A subject PostgreSQL cannot store in a text column (NUL): its call must fail alone.
                futures.add(pool.submit(() -> {
                    start.await();
                    CloudEvent faulty = CloudEventBuilder.v1(TestEvents.probe("group-faulty", 0))
                            .withSubject("nul\u0000byte").build();
                    transport.publish("group-0", EncodedEvent.all(List.of(faulty)));
                    return null;
                }));
                start.countDown();
                for (Future<?> future : futures) {
                    try {
                        future.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        failures.add(e.getCause());
                    }
                }
            }
        }
        assertThat(failures).singleElement().isInstanceOf(TransportException.class);
        assertThat(returned).hasSize(THREADS * CALLS_PER_THREAD * 2);
        List<String> stored = new ArrayList<>();
        long transactions;
        try (var connection = database.callerPool().getConnection();
             PreparedStatement ids = connection.prepareStatement("SELECT convert_from(data, 'UTF8')::jsonb ->> 'id'"
                     + " FROM \"" + database.schema() + "\".events");
              PreparedStatement xids = connection.prepareStatement("SELECT count(DISTINCT xid) FROM \""
                     + database.schema() + "\".events")) {
            try (ResultSet rs = ids.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
            try (ResultSet rs = xids.executeQuery()) {
                rs.next();
                transactions = rs.getLong(1) - 1; // the warm-up publish had its own
            }
        }
        assertThat(stored).containsAll(returned).doesNotContain(TestEvents.probe("group-faulty", 0).getId());
        assertThat(transactions).as("transactions for %d publish calls", THREADS * CALLS_PER_THREAD)
                .isLessThan(THREADS * CALLS_PER_THREAD);
    }
}
