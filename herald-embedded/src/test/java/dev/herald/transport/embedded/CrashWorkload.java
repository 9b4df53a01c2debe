package dev.herald.transport.embedded;

import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.EncodedEvent;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import io.cloudevents.CloudEvent;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The process {@link EmbeddedCrashIT} kills: publishes from several threads and consumes one
 * subscription until it is killed, reporting on stdout, one flushed line per fact:
 * <ul>
 *   <li>{@code P <id>} — publish() returned for the event;</li>
 *   <li>{@code L <id> <attempt>} — poll() handed the event out;</li>
 *   <li>{@code K <id>} — about to ack (an ack that may or may not have committed when killed);</li>
 *   <li>{@code A <id> <attempt>} — ack() returned.</li>
 * </ul>
 * Arguments: the store file and a prefix making this run's event ids unique.
 */
public final class CrashWorkload {

    static final String TOPIC = "crash";
    static final String SUBSCRIPTION = "crash-sub";
    static final int PUBLISHERS = 4;
    static final int CONSUMERS = 2;
    static final int POLL_MAX = 20;

    private CrashWorkload() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        EmbeddedTransport transport = EmbeddedTransport.open(file);
        transport.createSubscription(SubscriptionSpec.of(SUBSCRIPTION, TOPIC).withStart(StartPosition.EARLIEST));
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            String publisher = prefix + "-p" + p;
            threads.add(Thread.ofPlatform().name(publisher).start(() -> publish(transport, publisher, out)));
        }
        for (int c = 0; c < CONSUMERS; c++) {
            threads.add(Thread.ofPlatform().name("consumer-" + c).start(() -> consume(transport, out)));
        }
        out.println("READY");
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** Publishes batches of 1–5 events; each id is printed only once its batch's publish returned. */
    private static void publish(EmbeddedTransport transport, String publisher, PrintStream out) {
        int next = 0;
        while (true) {
            int size = ThreadLocalRandom.current().nextInt(1, 6);
            List<CloudEvent> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(Fixtures.event(publisher + "-" + next++));
            }
            transport.publish(TOPIC, EncodedEvent.all(batch));
            for (CloudEvent event : batch) {
                out.println("P " + event.getId());
            }
        }
    }

    private static void consume(EmbeddedTransport transport, PrintStream out) {
        try (Consumer consumer = transport.openConsumer(SUBSCRIPTION)) {
            while (true) {
                List<Delivery> deliveries = consumer.poll(POLL_MAX, Duration.ofMillis(200));
                for (Delivery delivery : deliveries) {
                    out.println("L " + delivery.event().getId() + " " + delivery.attempt());
                }
                for (Delivery delivery : deliveries) {
                    out.println("K " + delivery.event().getId());
                    delivery.ack();
                    out.println("A " + delivery.event().getId() + " " + delivery.attempt());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
