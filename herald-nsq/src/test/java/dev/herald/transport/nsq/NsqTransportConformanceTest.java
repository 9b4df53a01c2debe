package dev.herald.transport.nsq;

import dev.herald.tck.TransportConformanceTest;
import dev.herald.tck.TransportFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole conformance kit on the NSQ transport, speaking the protocol to {@link NsqProtocolDouble} (one for the
 * run). Every test opens a new transport on the same double and state directory, so a transport closed and
 * reopened finds its subscriptions, channels and dead letters again, as the factory contract asks. The transport
 * is told nsqd is durable ({@code --mem-queue-size=0}), so the durability group runs: against the double it checks a
 * restart of Herald (the state file, unsettled messages coming back), not of nsqd, which the double cannot model.
 * The skipped groups and why are listed in {@code README-nsq.md}.
 */
class NsqTransportConformanceTest extends TransportConformanceTest {

    @TempDir
    static Path state;
    private static NsqProtocolDouble nsqd;

    @BeforeAll
    static void startDouble() throws IOException {
        nsqd = NsqProtocolDouble.start();
    }

    @AfterAll
    static void stopDouble() {
        nsqd.close();
    }

    @Override
    protected TransportFactory factory() {
        return () -> NsqTransport.open(nsqd.options(state).withDurableNsqd(true));
    }
}
