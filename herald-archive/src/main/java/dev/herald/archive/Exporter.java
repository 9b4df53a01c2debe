package dev.herald.archive;

import dev.herald.event.HeraldAttributes;
import dev.herald.schema.SchemaRegistry;
import dev.herald.store.TopicRouter;
import dev.herald.transport.Capability;
import dev.herald.transport.Consumer;
import dev.herald.transport.Delivery;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.StartPosition;
import dev.herald.transport.SubscriptionSpec;
import dev.herald.transport.Transport;
import dev.herald.transport.TypeGlob;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code herald export}: copies a transport's stored events into partitioned files
 * ({@code type=…/date=…/part-N.parquet}), resumably and without duplicates.
 *
 * <p><b>Reading.</b> With {@link Capability#QUERY} the exporter reads the topic by position
 * ({@link Transport#query}, the filters pushed down); the manifest records the position after which nothing is exported yet.
 * Without it, it replays through a durable subscription of its own ({@code herald-export-…}, named
 * after the output directory) from {@code since} (or the earliest event), acknowledging events only
 * once their checkpoint is committed, and stops when the subscription has no backlog left.
 *
 * <p><b>Exactly once in the files.</b> Rows are buffered and written at checkpoints: every
 * {@code rowsPerFile} rows (and at the end) the partition files are written under
 * {@code _staging/N/}, the manifest naming them is replaced atomically, and only then are they moved
 * into place. A run killed at any point leaves either an uncommitted staging directory (deleted on
 * the rerun, which reads again from the manifest's position) or a committed one whose moves the rerun
 * finishes; so run twice, or killed and rerun, the directory ends with every row once.
 *
 * <p><b>Following.</b> {@link #follow} is the server's continuous archive ({@link ContinuousArchive}):
 * the replay above on a named subscription that never ends, committing at least every commit interval.
 */
public final class Exporter {

    private static final int READ_PAGE = 2_000;
    /** Replay commits (and so acknowledges) at least this often: transports bound unacknowledged deliveries. */
    private static final int REPLAY_CHECKPOINT = 5_000;
    /** An export waits this long for more before it asks whether the backlog is empty. */
    private static final Duration REPLAY_POLL = Duration.ofSeconds(2);
    /** An archive polls in short waits, to notice a stop request and a due commit soon. */
    private static final Duration FOLLOW_POLL = Duration.ofMillis(250);

    /** Progress callbacks (the CLI's progress bar); called on the exporting thread. */
    public interface Progress {
        /** After each page: rows exported so far (this run), and the fraction done when it can be estimated. */
        void update(long rows, double fraction);

        Progress NONE = (rows, fraction) -> { };
    }

    /**
     * What a run did.
     *
     * @param rowsThisRun rows written by this run
     * @param rowsTotal   rows in the directory (every run)
     * @param files       part files in the directory
     * @param seconds     how long this run took
     */
    public record Result(long rowsThisRun, long rowsTotal, int files, double seconds) {
    }

    private final Transport transport;
    private final SchemaRegistry schemas;
    private final String topic;

    public Exporter(Transport transport, SchemaRegistry schemas) {
        this(transport, schemas, TopicRouter.DEFAULT_TOPIC);
    }

    public Exporter(Transport transport, SchemaRegistry schemas, String topic) {
        this.transport = transport;
        this.schemas = schemas;
        this.topic = topic;
    }

    /**
     * Exports, continuing a previous run into the same directory.
     *
     * @throws IllegalArgumentException when the directory holds an export with other filters
     * @throws ArchiveException         when the source cannot be read or files cannot be written
     */
    public Result run(ExportSpec spec, Progress progress) {
        String subscription = "herald-export-" + Integer.toHexString(
                spec.out().toAbsolutePath().normalize().toString().hashCode());
        return transfer(spec, progress, null, manifest -> transport.capabilities().contains(Capability.QUERY)
                ? new QueryBatches(spec, manifest.position())
                : new ReplayBatches(spec, subscription, manifest.lastIds(), null));
    }

    /**
     * Archives continuously, as the server's archive does: reads the durable subscription
     * {@code subscription} (created from the earliest stored event if it does not exist) and commits a
     * checkpoint at least every {@code commitInterval} while events arrive, until {@code stop} answers
     * true; then commits what is buffered and returns. As with {@link #run}, events are acknowledged
     * only after the checkpoint holding them is committed, so a process killed at any point loses
     * nothing and, restarted, writes no row twice.
     *
     * @throws IllegalArgumentException when the directory holds an export or archive with other options
     * @throws ArchiveException         when the subscription cannot be read or files cannot be written
     */
    public Result follow(ExportSpec spec, String subscription, Duration commitInterval, BooleanSupplier stop) {
        return transfer(spec, Progress.NONE, commitInterval,
                manifest -> new ReplayBatches(spec, subscription, manifest.lastIds(), stop));
    }

    /**
     * Creates the directory if needed, finishes or discards an interrupted checkpoint, and checks that
     * the directory holds an export or archive of the same options.
     *
     * @throws IllegalArgumentException when it holds one with other options
     */
    static Manifest prepare(ExportSpec spec) {
        try {
            Files.createDirectories(spec.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + spec.out(), e);
        }
        return recover(spec.out(), spec.fingerprint());
    }

    private Result transfer(ExportSpec spec, Progress progress, Duration commitInterval,
                            Function<Manifest, Batches> source) {
        long started = System.nanoTime();
        Manifest manifest = prepare(spec);
        long before = manifest.rows();
        try (PartWriter writer = new PartWriter(schemas, spec.redaction(), spec.format(), spec.partitioning())) {
            Batches batches = source.apply(manifest);
            try {
                manifest = copy(spec, manifest, writer, batches, progress, before, commitInterval);
            } finally {
                batches.close();
            }
        }
        return new Result(manifest.rows() - before, manifest.rows(), manifest.files().size(),
                (System.nanoTime() - started) / 1e9);
    }

    /** Copies until the source ends; commits every checkpoint's worth of rows, and when due by {@code interval}. */
    private Manifest copy(ExportSpec spec, Manifest start, PartWriter writer, Batches batches, Progress progress,
                          long before, Duration interval) {
        Manifest manifest = start;
        Instant first = spec.since().orElse(null);
        Instant end = spec.until().orElse(Instant.now());
        Instant lastTime = null;
        int checkpointRows = Math.min(spec.rowsPerFile(), batches.maxUncommitted());
        int sinceCommit = 0;
        long lastCommit = System.nanoTime();
        while (true) {
            List<Row> rows = batches.next();
            if (rows == null) {
                return commit(spec.out(), manifest, writer, batches, lastTime, true);
            }
            for (Row row : rows) {
                Instant time = row.event().getTime() != null ? row.event().getTime().toInstant() : row.publishedAt();
                if (first == null) {
                    first = time;
                }
                if (spec.selects(row.event().getType(), HeraldAttributes.project(row.event()).orElse(null), time)) {
                    writer.add(row.event(), time, row.publishedAt());
                    lastTime = time;
                }
            }
            batches.markPage();
            sinceCommit += rows.size();
            // Commits fall on page boundaries: a query cursor exists only after a whole page.
            boolean due = interval != null && sinceCommit > 0 && System.nanoTime() - lastCommit >= interval.toNanos();
            if (sinceCommit >= checkpointRows || due) {
                sinceCommit = 0;
                manifest = commit(spec.out(), manifest, writer, batches, lastTime, false);
                lastCommit = System.nanoTime();
            }
            if (!rows.isEmpty()) {
                double fraction = first == null || lastTime == null || !end.isAfter(first) ? Double.NaN
                        : Math.min(1, Math.max(0, Duration.between(first, lastTime).toMillis()
                        / (double) Duration.between(first, end).toMillis()));
                progress.update(manifest.rows() - before + writer.buffered(), fraction);
            }
        }
    }

    /** Writes the buffered rows as checkpoint N+1: staged files, then the manifest, then the moves. */
    private Manifest commit(Path out, Manifest manifest, PartWriter writer, Batches batches, Instant lastTime,
                            boolean reachedEnd) {
        int part = manifest.checkpoint() + 1;
        Path staging = out.resolve("_staging").resolve(Integer.toString(part));
        List<Manifest.FileEntry> files = writer.buffered() == 0 ? List.of() : writer.flush(staging, part);
        Manifest next = manifest.next(batches.position(), files, lastTime == null ? null : lastTime.toString(),
                reachedEnd, batches.committingIds());
        next.write(out);
        moveStaged(out, next);
        batches.committed();
        return next;
    }

    /** Finishes a committed checkpoint's moves and deletes uncommitted staging; checks the filters match. */
    private static Manifest recover(Path out, String fingerprint) {
        Manifest manifest = Manifest.read(out);
        if (manifest == null) {
            if (Files.exists(out.resolve("_staging"))) {
                deleteTree(out.resolve("_staging"));
            }
            Manifest empty = Manifest.empty(fingerprint);
            empty.write(out);
            return empty;
        }
        if (!manifest.fingerprint().equals(fingerprint)) {
            throw new IllegalArgumentException(out + " holds an export or archive made with other options ("
                    + manifest.fingerprint() + "); use a new directory");
        }
        moveStaged(out, manifest);
        return manifest;
    }

    private static void moveStaged(Path out, Manifest manifest) {
        Path stagingRoot = out.resolve("_staging");
        if (!Files.exists(stagingRoot)) {
            return;
        }
        Path staging = stagingRoot.resolve(Integer.toString(manifest.checkpoint()));
        try {
            for (Manifest.FileEntry file : manifest.files()) {
                if (file.checkpoint() != manifest.checkpoint()) {
                    continue;
                }
                Path from = staging.resolve(file.path());
                Path to = out.resolve(file.path());
                if (Files.exists(from)) {
                    Files.createDirectories(to.getParent());
                    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    Path schema = from.resolveSibling("_schema.json");
                    if (Files.exists(schema)) {
                        Files.move(schema, to.resolveSibling("_schema.json"), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move committed files into " + out, e);
        }
        deleteTree(stagingRoot);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** One event read from the source. */
    private record Row(CloudEvent event, Instant publishedAt, Delivery delivery) {
    }

    /** Where rows come from; positions and acknowledgements follow commits. */
    private interface Batches extends AutoCloseable {
        /** The next page of rows (possibly empty); null at the end of the source. */
        List<Row> next();

        /** Everything read so far will be in the next commit. */
        void markPage();

        /** The position to record in the manifest of the next commit (a query cursor; null for replay). */
        String position();

        /** The ids of the events the next commit holds, where the source may deliver them again after it. */
        List<String> committingIds();

        /** The most rows read between commits (a subscription's in-flight deliveries are bounded). */
        int maxUncommitted();

        /** The commit is durable: acknowledge what it holds. */
        void committed();

        @Override
        void close();
    }

    /** Reads by cursor (QUERY), the filter pushed down to the transport's indexes. */
    private final class QueryBatches implements Batches {
        private final LogQuery query;
        private String cursor;
        private String marked;
        private boolean ended;

        QueryBatches(ExportSpec spec, String after) {
            LogFilter filter = LogFilter.ALL;
            if (spec.typePattern().isPresent()) {
                filter = filter.withTypes(List.of(new TypeGlob(spec.typePattern().get())));
            }
            if (spec.projects().size() == 1) {
                filter = filter.withProject(spec.projects().iterator().next());
            }
            filter = new LogFilter(filter.types(), filter.project(), null, null, spec.since().orElse(null),
                    spec.until().orElse(null));
            this.query = LogQuery.of(topic).withFilter(filter).withLimit(READ_PAGE).withMaxScan(READ_PAGE * 10);
            this.cursor = after;
            this.marked = after;
        }

        @Override
        public List<Row> next() {
            if (ended) {
                return null;
            }
            LogPage page;
            try {
                page = transport.query(query.withAfter(cursor));
            } catch (RuntimeException e) {
                throw new ArchiveException("cannot read topic " + topic + " on " + transport.name() + ": "
                        + e.getMessage(), e);
            }
            List<Row> rows = new ArrayList<>(page.entries().size());
            for (LogEntry entry : page.entries()) {
                rows.add(new Row(entry.event(), entry.publishedAt(), null));
            }
            cursor = page.cursor();
            ended = !page.more();
            return rows;
        }

        @Override
        public void markPage() {
            marked = cursor;
        }

        @Override
        public String position() {
            return marked;
        }

        @Override
        public List<String> committingIds() {
            return List.of();
        }

        @Override
        public int maxUncommitted() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void committed() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * Replays through a durable subscription of the export's (or the archive's) own. Deliveries are
     * acknowledged only after their commit; those still unacknowledged when a run dies come again and
     * are written again only if their checkpoint was never committed. An export ends when the
     * subscription has no backlog left; an archive ({@code stop} given) when {@code stop} answers true.
     */
    private final class ReplayBatches implements Batches {
        private final String subscription;
        private final Consumer consumer;
        private final List<Delivery> received = new ArrayList<>();
        private final List<Delivery> pending = new ArrayList<>();

        private final Set<String> alreadyCommitted;
        private final BooleanSupplier stop;

        ReplayBatches(ExportSpec spec, String subscription, List<String> lastIds, BooleanSupplier stop) {
            this.alreadyCommitted = new HashSet<>(lastIds);
            this.subscription = subscription;
            this.stop = stop;
            transport.createSubscription(SubscriptionSpec.of(subscription, topic).withStart(
                    spec.since().map(StartPosition::at).orElse(StartPosition.EARLIEST)));
            this.consumer = transport.openConsumer(subscription);
        }

        @Override
        public List<Row> next() {
            if (stop != null && stop.getAsBoolean()) {
                return null;
            }
            try {
                List<Delivery> deliveries = consumer.poll(READ_PAGE, stop != null ? FOLLOW_POLL : REPLAY_POLL);
                if (deliveries.isEmpty() && stop == null && transport.stats(subscription).backlog() == 0) {
                    return null;
                }
                List<Row> rows = new ArrayList<>();
                for (Delivery delivery : deliveries) {
                    if (alreadyCommitted.contains(delivery.event().getId())) {
                        delivery.ack(); // written by the last commit; its ack was lost with the previous run
                    } else {
                        received.add(delivery);
                        rows.add(new Row(delivery.event(), delivery.publishedAt(), delivery));
                    }
                }
                return rows;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArchiveException("interrupted while replaying " + subscription);
            }
        }

        @Override
        public void markPage() {
            pending.addAll(received);
            received.clear();
        }

        @Override
        public String position() {
            return null;
        }

        @Override
        public List<String> committingIds() {
            return pending.stream().map(d -> d.event().getId()).toList();
        }

        @Override
        public int maxUncommitted() {
            return REPLAY_CHECKPOINT;
        }

        @Override
        public void committed() {
            pending.forEach(Delivery::ack);
            pending.clear();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
