package dev.herald.transport.embedded;

import dev.herald.tck.TransportConformanceTest;
import dev.herald.tck.TransportFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit against the embedded transport: every test opens the one store file of this
 * class, so a test that closes and reopens its transport finds its topics, positions and dead
 * letters again.
 */
class EmbeddedTransportConformanceTest extends TransportConformanceTest {

    @TempDir
    static Path dir;

    @Override
    protected TransportFactory factory() {
        return () -> EmbeddedTransport.open(dir.resolve("herald.db"));
    }
}
