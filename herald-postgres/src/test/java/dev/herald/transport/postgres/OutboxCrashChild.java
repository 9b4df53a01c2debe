package dev.herald.transport.postgres;

import dev.herald.tck.TestEvents;
import dev.herald.transport.EncodedEvent;
import io.cloudevents.CloudEvent;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

/**
 * The process {@link OutboxCrashTest} lets die: it opens one outbox transaction and leaves it open,
 * commits another, prints the ids of both, and halts at once ({@link Runtime#halt}: no shutdown
 * hook, no transport close, no notification sent after the commit).
 *
 * <p>Arguments: JDBC URL, schema, topic, run name. Prints {@code OPEN <id>} for each event of the
 * transaction left open, then {@code COMMITTED <id>} for each event of the committed one, once the
 * commit returned.
 */
public final class OutboxCrashChild {

    private OutboxCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String topic = args[2];
        String run = args[3];
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PostgresTransport transport = PostgresTransport.open(url, PostgresOptions.defaults().withSchema(args[1]));
        List<CloudEvent> open = TestEvents.probes(run + "-open", 20);
        List<CloudEvent> committed = TestEvents.probes(run + "-committed", 20);

        Connection left = DriverManager.getConnection(url);
        left.setAutoCommit(false);
        transport.publish(topic, EncodedEvent.all(open), left);
        open.forEach(event -> out.println("OPEN " + event.getId()));

        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            transport.publish(topic, EncodedEvent.all(committed.subList(0, 5)), connection);
            transport.publish(topic, EncodedEvent.all(committed.subList(5, committed.size())), connection);
            connection.commit();
        }
        committed.forEach(event -> out.println("COMMITTED " + event.getId()));
        Runtime.getRuntime().halt(0);
    }
}
