package dev.herald.transport.postgres;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * A second process competing for one subscription's work, for {@link CompetingProcessesTest}: it
 * acknowledges {@code ackCount} deliveries (printing {@code ACK <id>} after each ack returned), then
 * leases one more batch, prints {@code HELD <id>} for each, and halts without settling them. Prints
 * {@code READY} once its consumer is open.
 *
 * <p>Arguments: JDBC URL, schema, subscription, ackCount.
 */
public final class CompetingProcessChild {

    private CompetingProcessChild() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PostgresTransport transport = PostgresTransport.open(args[0], PostgresOptions.defaults().withSchema(args[1]));
        int ackCount = Integer.parseInt(args[3]);
        Consumer consumer = transport.openConsumer(args[2]);
        out.println("READY");
        int acked = 0;
        while (acked < ackCount) {
            for (Delivery delivery : consumer.poll(Math.min(5, ackCount - acked), Duration.ofSeconds(1))) {
                Thread.sleep(2);
                delivery.ack();
                out.println("ACK " + delivery.event().getId());
                acked++;
            }
        }
        List<Delivery> held = List.of();
        while (held.isEmpty()) {
            held = consumer.poll(5, Duration.ofSeconds(1));
        }
        held.forEach(delivery -> out.println("HELD " + delivery.event().getId()));
        Runtime.getRuntime().halt(0);
    }
}
