package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tck.TestEvents;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acks of one batch settle exactly the leases they name: in one statement, a stale lease (another
 * attempt) settles nothing, and a lease acknowledged twice in the batch counts once.
 */
class BatchedAckTest {

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
    void aBatchSettlesOnlyTheLeasesItNamesEachOnce() throws Exception {
        try (PostgresTransport transport = PostgresTransport.open(database.jdbcUrl(), database.options())) {
            transport.createSubscription(SubscriptionSpec.of("acks", "acks").withStart(StartPosition.EARLIEST));
            transport.publish("acks", EncodedEvent.all(TestEvents.probes("batched-ack", 3)));
            try (Consumer consumer = transport.openConsumer("acks")) {
                List<Delivery> leased = new ArrayList<>();
                while (leased.size() < 3) {
                    leased.addAll(consumer.poll(3 - leased.size(), Duration.ofSeconds(10)));
                }
                Db db = new Db(transport.dataSource(), database.schema());
                DeliveryQueue queue = new DeliveryQueue(db, database.options());
                List<DeliveryQueue.Ack> leases = leases(db);
                assertThat(leases).hasSize(3);
                DeliveryQueue.Ack first = leases.get(0);
                DeliveryQueue.Ack second = leases.get(1);
                DeliveryQueue.Ack third = leases.get(2);
                DeliveryQueue.Ack staleSecond = new DeliveryQueue.Ack(second.subscriptionId(), second.pos(),
                        second.consumerId(), second.attempt() + 1);

                List<Boolean> settled = db.autoCommit("acking", connection ->
                        queue.ack(connection, List.of(first, staleSecond, first, third)));

                assertThat(settled).containsExactly(true, false, false, true);
                assertThat(leases(db)).containsExactly(second);
            }
        }
    }

    /** The leases in the deliveries table, in log order. */
    private static List<DeliveryQueue.Ack> leases(Db db) {
        return db.autoCommit("reading leases", connection -> {
            List<DeliveryQueue.Ack> leases = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(db.sql(
                    "SELECT subscription_id, pos, leased_by, attempts FROM ${s}.deliveries ORDER BY pos"));
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    leases.add(new DeliveryQueue.Ack(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4)));
                }
            }
            return leases;
        });
    }
}
