package dev.herald.archive;

import dev.herald.schema.SchemaRegistry;
import dev.herald.transport.SubscriptionStats;
import dev.herald.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's continuous archive: every stored event, written to Parquet files in the layout of
 * {@code herald export}, so that retention on the live transport can stay short while the history
 * stays queryable ({@code herald archive query}).
 *
 * <p><b>Nothing missed, nothing twice.</b> The archive reads the transport's durable subscription
 * {@value #SUBSCRIPTION}, created at the earliest stored event on the first start, with
 * {@link Exporter#follow}: rows are buffered and committed at least every commit interval (files
 * written aside, then the manifest naming them replaced atomically, then the files moved into place),
 * and the events are acknowledged only after their commit. A crash before the manifest leaves the
 * events unacknowledged: they come again and are written then. A crash between the manifest and the
 * acknowledgements leaves events that come again although written: the manifest lists the ids of its
 * last checkpoint, and those are acknowledged without being written again.
 *
 * <p><b>Failures.</b> One thread archives. When a commit or a read fails (a full disk, a transport
 * outage) it logs the error, drops what it buffered (unacknowledged, so it comes again) and starts
 * over from the manifest after {@link #RETRY_AFTER}. {@link #status()} reports the last error and its time.
 */
public final class ContinuousArchive implements AutoCloseable {

    /** The name of the archive's durable subscription on the transport. */
    public static final String SUBSCRIPTION = "herald-archive";
    /** How long the archive waits after a failure before it starts over. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousArchive.class);

    /**
     * How far the archive has got.
     *
     * @param written   what the directory holds (empty before the first commit)
     * @param backlog   events stored but not yet archived, those being written included (the
     *                  subscription's backlog; -1 before the archive's first read)
     * @param inFlight  of those, the events read and buffered, not yet committed
     * @param lag       how far the archive trails the stream: zero when nothing waits, else the time
     *                  since the newest archived event (empty when nothing is archived yet)
     * @param lastError the last failure since the server started, with its time
     */
    public record Status(Optional<ArchiveStatus> written, long backlog, long inFlight, Optional<Duration> lag,
                         Optional<String> lastError) {
    }

    private final Transport transport;
    private final ExportSpec spec;
    private final Exporter exporter;
    private final Duration commitInterval;
    private final Thread worker;
    private volatile boolean stopping;
    private volatile String lastError;

    private ContinuousArchive(Transport transport, SchemaRegistry schemas, ExportSpec spec, Duration commitInterval) {
        this.transport = transport;
        this.spec = spec;
        this.exporter = new Exporter(transport, schemas);
        this.commitInterval = commitInterval;
        // A platform thread: DuckDB's native calls would pin a virtual thread's carrier anyway.
        this.worker = Thread.ofPlatform().daemon().name("herald-archive").unstarted(this::archive);
    }

    /**
     * Checks the directory and starts archiving in the background.
     *
     * @throws IllegalArgumentException when the directory holds an export or archive made with other
     *                                  options (type, projects, redaction, partitioning)
     */
    public static ContinuousArchive start(Transport transport, SchemaRegistry schemas, ExportSpec spec,
                                          Duration commitInterval) {
        Objects.requireNonNull(commitInterval, "commitInterval");
        Exporter.prepare(spec);
        ContinuousArchive archive = new ContinuousArchive(transport, schemas, spec, commitInterval);
        archive.worker.start();
        LOG.info("archiving events to {} (subscription {}, commit every {})", spec.out().toAbsolutePath(),
                SUBSCRIPTION, commitInterval);
        return archive;
    }

    /** What the archive holds and where. */
    public ExportSpec spec() {
        return spec;
    }

    /** How far the archive has got, from its manifest and its subscription. */
    public Status status() {
        Optional<ArchiveStatus> written = ArchiveStatus.of(spec.out());
        // Until the archive's thread has created its subscription, everything stored waits.
        SubscriptionStats stats = transport.subscription(SUBSCRIPTION).isPresent() ? transport.stats(SUBSCRIPTION)
                : new SubscriptionStats(-1, 0, 0);
        Optional<Duration> lag = stats.backlog() == 0 ? Optional.of(Duration.ZERO)
                : written.flatMap(w -> w.lag(Instant.now()));
        return new Status(written, stats.backlog(), stats.inFlight(), lag, Optional.ofNullable(lastError));
    }

    private void archive() {
        while (!stopping) {
            try {
                exporter.follow(spec, SUBSCRIPTION, commitInterval, () -> stopping);
            } catch (RuntimeException e) {
                lastError = Instant.now() + ": " + e.getMessage();
                LOG.error("archiving to {} failed; starting over in {}", spec.out(), RETRY_AFTER, e);
                try {
                    Thread.sleep(RETRY_AFTER);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Commits what is buffered, acknowledges it and stops; waits up to the commit of a full checkpoint. */
    @Override
    public void close() {
        stopping = true;
        try {
            if (!worker.join(Duration.ofSeconds(60))) {
                LOG.warn("the archive did not stop within 60 s; its unacknowledged events will come again");
                worker.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
