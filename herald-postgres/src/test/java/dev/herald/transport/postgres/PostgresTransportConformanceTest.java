package dev.herald.transport.postgres;

import dev.herald.tck.TransportConformanceTest;
import dev.herald.tck.TransportFactory;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance kit against PostgreSQL: every test opens a transport on the one schema of this
 * run, so a test that closes and reopens its transport finds its topics, positions and dead letters
 * again. The schema is new for each run and dropped afterwards.
 */
class PostgresTransportConformanceTest extends TransportConformanceTest {

    private static TestDatabase database;

    @BeforeAll
    static void createSchema() {
        database = TestDatabase.create();
    }

    @AfterAll
    static void dropSchema() throws Exception {
        if (database != null) {
            database.close();
        }
    }

    @Override
    protected TransportFactory factory() {
        return () -> PostgresTransport.open(database.jdbcUrl(), database.options());
    }

    @Override
    public Optional<DataSource> transactionalDataSource() {
        return Optional.of(database.callerPool());
    }
}
